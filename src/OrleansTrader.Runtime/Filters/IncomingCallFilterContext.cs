namespace OrleansTrader.Runtime;

/// <summary>Runs the silo's filters around one request. Allocated only when filters are registered.</summary>
internal sealed class IncomingCallFilterContext(IIncomingGrainCallFilter[] filters, Message message, object grain) : IIncomingGrainCallContext
{
    private int _next;

    public object Grain { get; } = grain;

    public GrainId TargetId => message.TargetId;

    public string InterfaceName => message.InterfaceName;

    public string MethodName => message.Request.MethodName;

    public GrainRequest Request => message.Request;

    public object? Result
    {
        get => message.Request.BoxedResult;
        set => message.Request.BoxedResult = value;
    }

    public static ValueTask RunAsync(IIncomingGrainCallFilter[] filters, Message message, object grain) =>
        new(new IncomingCallFilterContext(filters, message, grain).RunAsync());

    public Task Invoke()
    {
        if (_next < filters.Length)
        {
            var filter = filters[_next++];
            return filter.Invoke(this);
        }

        return message.Request.InvokeForFilterAsync(Grain).AsTask();
    }

    private async Task RunAsync()
    {
        try
        {
            await Invoke();
        }
        catch (Exception ex)
        {
            message.Request.StoreFault(ex);
        }
    }
}
