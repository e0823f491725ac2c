namespace OrleansTrader.Runtime;

/// <summary>Carries messages to the silo hosting the target. In one process, a direct hand-off to the catalog.</summary>
public interface IMessageTransport
{
    void Send(SiloAddress destination, Message message);
}
