namespace OrleansTrader.Runtime;

/// <summary>A reminder tick sent to an <see cref="IRemindable"/> grain.</summary>
internal sealed class ReminderRequest(string reminderName, TickStatus status) : GrainVoidRequest
{
    public override string InterfaceName => typeof(IRemindable).FullName!;

    public override string MethodName => nameof(IRemindable.ReceiveReminder);

    public override int MethodId => 1;

    protected override ValueTask InvokeCore(object grain) =>
        grain is IRemindable remindable
            ? new ValueTask(remindable.ReceiveReminder(reminderName, status))
            : throw new InvalidOperationException($"{grain.GetType()} received reminder '{reminderName}' but does not implement IRemindable.");
}
