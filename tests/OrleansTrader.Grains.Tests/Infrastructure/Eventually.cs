namespace OrleansTrader.Grains.Tests.Infrastructure;

/// <summary>Polls an asynchronous outcome (fills travel through the durable stream) until it holds or a deadline passes.</summary>
public static class Eventually
{
    public static async Task<T> WaitAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what, TimeSpan? timeout = null, Action? tick = null)
    {
        var deadline = TimeProvider.System.GetUtcNow().Add(timeout ?? TimeSpan.FromSeconds(20));
        var ct = TestContext.Current.CancellationToken;
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            if (TimeProvider.System.GetUtcNow() > deadline)
            {
                Assert.Fail($"Timed out waiting for {what}; last value: {value}");
            }

            // With a fake clock, work waiting on the clock (retries, batching) moves only when time does.
            tick?.Invoke();
            await Task.Delay(20, ct);
        }
    }
}
