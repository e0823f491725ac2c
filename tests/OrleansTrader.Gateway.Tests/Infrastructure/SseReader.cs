using System.Globalization;
using System.Text;

namespace OrleansTrader.Gateway.Tests.Infrastructure;

/// <summary>Reads Server-Sent Events (id, event, data; comment lines ignored) from a response stream.</summary>
public sealed class SseReader(HttpRequestMessage request, HttpResponseMessage response, Stream body) : IDisposable
{
    private readonly StreamReader _reader = new(body, Encoding.UTF8);

    public async Task<SseEvent> NextAsync(CancellationToken cancellationToken)
    {
        long? id = null;
        string? kind = null;
        var data = new StringBuilder();
        while (true)
        {
            var line = await _reader.ReadLineAsync(cancellationToken) ?? throw new EndOfStreamException("The event stream ended.");
            if (line.Length == 0)
            {
                if (id is not null || kind is not null || data.Length > 0)
                {
                    return new SseEvent(id, kind, data.ToString());
                }

                continue;
            }

            if (line.StartsWith(':'))
            {
                continue;
            }

            if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = long.Parse(line[4..], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                kind = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data.Append(line[6..]);
            }
        }
    }

    public void Dispose()
    {
        _reader.Dispose();
        response.Dispose();
        request.Dispose();
    }
}
