using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace OrleansTrader.Gateway.Tests.Infrastructure;

/// <summary>
/// The TestServer has no remote address: a test names one per request in <see cref="Header"/>, as a forwarded-headers
/// middleware would. Added with <c>services: s => s.AddSingleton&lt;IStartupFilter, ClientAddressFromHeader&gt;()</c>, or
/// as an instance whose <see cref="Arrived"/> counts the requests that reached the gateway.
/// </summary>
internal sealed class ClientAddressFromHeader : IStartupFilter
{
    public const string Header = "X-Test-Client-Address";

    private int _arrived;

    public int Arrived => Volatile.Read(ref _arrived);

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            Interlocked.Increment(ref _arrived);
            if (context.Request.Headers[Header] is [{ } address])
            {
                context.Connection.RemoteIpAddress = IPAddress.Parse(address);
            }

            return nextMiddleware(context);
        });
        next(app);
    };
}
