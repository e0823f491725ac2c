namespace OrleansTrader.Runtime;

/// <summary>Delivers to this silo's catalog without copying (messages are immutable).</summary>
internal sealed class InProcessMessageTransport(Catalog catalog) : IMessageTransport
{
    public void Send(SiloAddress destination, Message message) => catalog.Deliver(message);
}
