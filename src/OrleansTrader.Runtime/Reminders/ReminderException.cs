namespace OrleansTrader.Runtime;

/// <summary>
/// A reminder operation failed, as in Orleans: unregistering with a handle whose ETag no longer matches the stored row
/// (the reminder was registered again since the handle was read) leaves the newer registration in place and throws this.
/// </summary>
public sealed class ReminderException : Exception
{
    public ReminderException()
    {
    }

    public ReminderException(string message) : base(message)
    {
    }

    public ReminderException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
