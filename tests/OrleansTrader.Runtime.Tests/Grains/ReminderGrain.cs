namespace OrleansTrader.Runtime.Tests.Grains;

public sealed class ReminderGrain(TestProbe probe) : Grain, IReminderGrain
{
    public Task Register(string name, TimeSpan dueTime, TimeSpan period) => this.RegisterOrUpdateReminder(name, dueTime, period);

    public async Task Unregister(string name)
    {
        var reminder = await this.GetReminder(name) ?? throw new InvalidOperationException("no reminder " + name);
        await this.UnregisterReminder(reminder);
    }

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        probe.LogAndNotify(this.GetPrimaryKeyString() + "/reminders", reminderName);
        return Task.CompletedTask;
    }
}
