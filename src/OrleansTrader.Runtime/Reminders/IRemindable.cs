namespace OrleansTrader.Runtime;

/// <summary>Implemented by grains that register reminders. Reminders are durable; handlers must be idempotent.</summary>
public interface IRemindable : IGrain
{
    Task ReceiveReminder(string reminderName, TickStatus status);
}
