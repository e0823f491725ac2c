namespace OrleansTrader.Runtime;

internal sealed record GrainReminder(string ReminderName, string? ETag) : IGrainReminder;
