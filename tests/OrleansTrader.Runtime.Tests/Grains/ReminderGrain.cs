using System.Globalization;

namespace OrleansTrader.Runtime.Tests.Grains;

/// <summary>Logs each tick; with the flag "{key}/gated" set, a tick waits for "{key}/tick-gate/{n}" after signaling "{key}/tick/{n}".</summary>
public sealed class ReminderGrain(TestProbe probe) : Grain, IReminderGrain
{
    private readonly Dictionary<string, IGrainReminder> _kept = new(StringComparer.Ordinal);

    public Task Register(string name, TimeSpan dueTime, TimeSpan period) => this.RegisterOrUpdateReminder(name, dueTime, period);

    public async Task Unregister(string name)
    {
        var reminder = await this.GetReminder(name) ?? throw new InvalidOperationException("no reminder " + name);
        await this.UnregisterReminder(reminder);
    }

    public async Task RegisterKeepingHandle(string name, TimeSpan dueTime, TimeSpan period) =>
        _kept[name] = await this.RegisterOrUpdateReminder(name, dueTime, period);

    public Task UnregisterKept(string name) => this.UnregisterReminder(_kept[name]);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        var key = this.GetPrimaryKeyString();
        var tick = probe.Increment(key + "/ticks");
        var minutesSinceFirst = (status.CurrentTickTime - status.FirstTickTime).TotalMinutes;
        probe.LogAndNotify(key + "/tick-minutes", minutesSinceFirst.ToString(CultureInfo.InvariantCulture));
        probe.LogAndNotify(key + "/reminders", reminderName);
        if (probe.GetFlag(key + "/gated"))
        {
            probe.Signal($"{key}/tick/{tick}");
            await probe.WhenSignaled($"{key}/tick-gate/{tick}");
        }
    }
}
