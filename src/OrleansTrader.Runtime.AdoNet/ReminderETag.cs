namespace OrleansTrader.Runtime.AdoNet;

internal static class ReminderETag
{
    /// <summary>
    /// A fresh random ETag per upsert. A per-row counter would restart at 1 after a remove and re-add, and a stale
    /// ETag from the first life of the row could then remove the second.
    /// </summary>
    public static string New() => Guid.NewGuid().ToString("N");
}
