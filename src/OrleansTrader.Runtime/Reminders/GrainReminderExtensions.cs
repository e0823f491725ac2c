namespace OrleansTrader.Runtime;

/// <summary>Reminder registration from inside a grain (this.RegisterOrUpdateReminder(...)), as in Orleans.</summary>
public static class GrainReminderExtensions
{
    /// <summary>Registers or replaces a durable reminder: first tick after <paramref name="dueTime"/>, then every <paramref name="period"/>.</summary>
    public static Task<IGrainReminder> RegisterOrUpdateReminder(this Grain grain, string reminderName, TimeSpan dueTime, TimeSpan period)
    {
        EnsureRemindable(grain);
        return grain.Activation.Runtime.Reminders.RegisterOrUpdateAsync(grain.GrainId, reminderName, dueTime, period);
    }

    public static Task<IGrainReminder?> GetReminder(this Grain grain, string reminderName)
    {
        EnsureRemindable(grain);
        return grain.Activation.Runtime.Reminders.GetAsync(grain.GrainId, reminderName);
    }

    public static Task<IReadOnlyList<IGrainReminder>> GetReminders(this Grain grain)
    {
        EnsureRemindable(grain);
        return grain.Activation.Runtime.Reminders.GetAllAsync(grain.GrainId);
    }

    public static Task UnregisterReminder(this Grain grain, IGrainReminder reminder)
    {
        EnsureRemindable(grain);
        return grain.Activation.Runtime.Reminders.UnregisterAsync(grain.GrainId, reminder);
    }

    private static void EnsureRemindable(Grain grain)
    {
        ArgumentNullException.ThrowIfNull(grain);
        if (grain is not IRemindable)
        {
            throw new InvalidOperationException($"{grain.GetType()} must implement IRemindable to use reminders.");
        }
    }
}
