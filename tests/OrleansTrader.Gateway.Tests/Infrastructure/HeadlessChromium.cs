using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrleansTrader.Gateway.Tests.Infrastructure;

/// <summary>
/// A headless Chromium driven over its DevTools protocol (a WebSocket of JSON commands): navigate, then evaluate
/// scripts in the page. Enough to click through a page of the gateway's own; no browser automation package is needed.
/// </summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly DirectoryInfo _profile;
    private readonly ClientWebSocket _socket;
    private int _lastId;

    private HeadlessChromium(Process process, DirectoryInfo profile, ClientWebSocket socket)
    {
        _process = process;
        _profile = profile;
        _socket = socket;
    }

    private static readonly string? Configured = Environment.GetEnvironmentVariable("ORLEANSTRADER_TEST_CHROMIUM");

    /// <summary>
    /// The browser binary: the one ORLEANSTRADER_TEST_CHROMIUM names (CI sets it, so a missing browser fails there), else
    /// Debian's chromium when installed; null when there is none.
    /// </summary>
    public static string? Executable { get; } = !string.IsNullOrEmpty(Configured)
        ? (File.Exists(Configured) ? Configured : throw new InvalidOperationException($"ORLEANSTRADER_TEST_CHROMIUM names {Configured}, which does not exist."))
        : new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists);

    public static async Task<HeadlessChromium> StartAsync(CancellationToken cancellationToken)
    {
        var executable = Executable ?? throw new InvalidOperationException("No Chromium: install Debian's chromium or set ORLEANSTRADER_TEST_CHROMIUM.");
        var profile = Directory.CreateTempSubdirectory("ot-chromium-");
        var start = new ProcessStartInfo(executable) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };

        // Without the background-networking flags the browser keeps dialing out, which a closed network refuses.
        foreach (var argument in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--remote-debugging-port=0", "--user-data-dir=" + profile.FullName, "about:blank",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start.");
        var output = process.StandardError.ReadToEndAsync(cancellationToken);
        _ = process.StandardOutput.ReadToEndAsync(cancellationToken);
        try
        {
            // The browser writes its DevTools port into the profile once it listens.
            var portFile = Path.Combine(profile.FullName, "DevToolsActivePort");
            var deadline = Stopwatch.StartNew();
            while (!File.Exists(portFile) || new FileInfo(portFile).Length == 0)
            {
                if (process.HasExited || deadline.Elapsed > StartTimeout)
                {
                    throw new InvalidOperationException($"Chromium did not open its DevTools port: {(process.HasExited ? await output : "timed out")}");
                }

                await Task.Delay(50, cancellationToken);
            }

            var port = (await File.ReadAllLinesAsync(portFile, cancellationToken))[0];
            using var http = new HttpClient();
            var targets = JsonNode.Parse(await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/json/list"), cancellationToken))!.AsArray();
            var page = targets.First(t => (string?)t!["type"] == "page")!;
            var socket = new ClientWebSocket();
            await socket.ConnectAsync(new Uri((string)page["webSocketDebuggerUrl"]!), cancellationToken);
            return new HeadlessChromium(process, profile, socket);
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
    }

    public Task NavigateAsync(Uri url, CancellationToken cancellationToken) =>
        SendAsync("Page.navigate", new JsonObject { ["url"] = url.ToString() }, cancellationToken);

    /// <summary>Runs a script in the page (awaiting a promise it returns) and answers its JSON value.</summary>
    public async Task<JsonNode?> EvaluateAsync(string script, CancellationToken cancellationToken)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject
        {
            ["expression"] = script, ["awaitPromise"] = true, ["returnByValue"] = true,
        }, cancellationToken);
        if (result["exceptionDetails"] is { } exception)
        {
            throw new InvalidOperationException($"The page's script failed: {exception["exception"]?["description"] ?? exception["text"]}");
        }

        return result["result"]?["value"]?.DeepClone();
    }

    /// <summary>Evaluates <paramref name="script"/> until it answers true, or fails naming <paramref name="what"/>.</summary>
    public async Task WaitForAsync(string script, string what, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        while (await EvaluateAsync(script, cancellationToken) is not JsonValue value || !value.TryGetValue<bool>(out var done) || !done)
        {
            if (deadline.Elapsed > (timeout ?? TimeSpan.FromSeconds(20)))
            {
                throw new TimeoutException($"The page never showed {what}.");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            _profile.Delete(recursive: true);
        }
        catch (IOException)
        {
            // The profile is a temporary folder; a file the browser still held only leaves it behind.
        }
    }

    private async Task<JsonObject> SendAsync(string method, JsonObject parameters, CancellationToken cancellationToken)
    {
        var id = ++_lastId;
        var command = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters };
        await _socket.SendAsync(Encoding.UTF8.GetBytes(command.ToJsonString()), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

        // Events arrive between answers; the answer is the message with the command's id.
        while (true)
        {
            var message = JsonNode.Parse(await ReceiveAsync(cancellationToken))!.AsObject();
            if (message["id"] is { } answered && (int)answered == id)
            {
                return message["error"] is { } error
                    ? throw new InvalidOperationException($"{method} failed: {error.ToJsonString()}")
                    : message["result"]!.AsObject();
            }
        }
    }

    private async Task<string> ReceiveAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        WebSocketReceiveResult received;
        do
        {
            received = await _socket.ReceiveAsync(buffer, cancellationToken);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                throw new InvalidOperationException("Chromium closed its DevTools connection.");
            }

            message.Write(buffer, 0, received.Count);
        }
        while (!received.EndOfMessage);
        return Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
    }
}
