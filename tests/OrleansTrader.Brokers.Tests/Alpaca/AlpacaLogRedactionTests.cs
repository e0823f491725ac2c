using Microsoft.Extensions.Logging;
using OrleansTrader.Brokers.Tests.Contract;
using OrleansTrader.Brokers.Tests.Fakes;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Brokers.Tests.Alpaca;

public sealed class AlpacaLogRedactionTests
{
    private const string WrongKey = "PKWRONG9Z8X7C6V5B4N3";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Logs_AndErrors_NeverContainKeysSecretsOrTheAccountNumber()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        var errors = new List<string>();
        await using (var host = AlpacaTestHost.Create(server))
        {
            await using (var reports = new ExecutionReportCollector(host.Client))
            {
                await host.Health.StreamHealthy.Task.WaitAsync(TimeSpan.FromSeconds(15), Ct);
                var account = await host.Client.GetAccountAsync(Ct);
                Assert.Equal("ACTIVE", account.Status);
                var order = await host.Client.SubmitOrderAsync(Order("l-1"), Ct);
                await server.FillAsync(order.OrderId, 1m, 50m);
                await reports.WaitForAsync(r => r.Execution is not null);
                server.AddFault(new FakeFault("POST", "/v2/orders", FakeFaultKind.Status) { StatusCode = 429, RetryAfterSeconds = 1 });
                errors.Add((await Assert.ThrowsAsync<BrokerException>(() => host.Client.SubmitOrderAsync(Order("l-2"), Ct))).ToString());
            }

            await AssertRedacted(host.Logs, errors);
        }

        await using var wrong = AlpacaTestHost.Create(server.BaseUrl, server.StreamUrl, keyId: WrongKey);
        var unauthorized = await Assert.ThrowsAsync<BrokerException>(() => wrong.Client.SubmitOrderAsync(Order("l-3"), Ct));
        Assert.Equal(BrokerErrorKind.Rejected, unauthorized.Kind);
        errors.Add(unauthorized.ToString());
        await using (new ExecutionReportCollector(wrong.Client))
        {
            var deadline = System.Diagnostics.Stopwatch.GetTimestamp() + (5 * System.Diagnostics.Stopwatch.Frequency);
            while (!wrong.Logs.Entries.Any(e => e.EventId.Id == 4115) && System.Diagnostics.Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(20, Ct);
            }
        }

        Assert.Contains(wrong.Logs.Entries, e => e.EventId.Id == 4115);
        await AssertRedacted(wrong.Logs, errors, WrongKey);
    }

    private static Task AssertRedacted(CapturedLogs logs, List<string> errors, string? extraSecret = null)
    {
        var entries = logs.Entries;

        // The HTTP client logs request headers at Trace: the names must be there and the values redacted.
        Assert.Contains(entries, e => e.Text.Contains("APCA-API-KEY-ID", StringComparison.Ordinal));

        // Once per order: Debug, or a busy account's submits would be most of the log (README, Serilog:MinimumLevel).
        var submits = entries.Where(e => e.EventId.Id == 4102).ToList();
        Assert.NotEmpty(submits);
        Assert.All(submits, e => Assert.Equal(LogLevel.Debug, e.Level));
        var secrets = new[] { FakeAlpacaServer.KeyId, FakeAlpacaServer.SecretKey, FakeAlpacaServer.AccountNumber, extraSecret }.OfType<string>();
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(entries, e => e.Text.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(errors, e => e.Contains(secret, StringComparison.Ordinal));
        }

        return Task.CompletedTask;
    }

    private static OrderRequest Order(string clientOrderId) => new()
    {
        ClientOrderId = clientOrderId,
        Symbol = "IBM",
        Side = OrderSide.Buy,
        Type = OrderType.Limit,
        Quantity = 1m,
        LimitPrice = 50m,
    };
}
