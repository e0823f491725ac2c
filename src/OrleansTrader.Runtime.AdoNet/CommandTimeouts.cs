namespace OrleansTrader.Runtime.AdoNet;

internal static class CommandTimeouts
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan Maximum = TimeSpan.FromHours(1);

    /// <summary>ADO.NET counts whole seconds, and 0 would mean "wait forever", so round up to at least one.</summary>
    public static int ToSeconds(TimeSpan timeout) => Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds));

    /// <summary>Also the bound of PostgreSQL's idle-in-transaction timeout: more than zero, at most <see cref="Maximum"/>.</summary>
    public static string? Validate(TimeSpan timeout, string optionName) =>
        timeout <= TimeSpan.Zero || timeout > Maximum
            ? $"{optionName} must be greater than zero and at most {Maximum}; it was {timeout}."
            : null;
}
