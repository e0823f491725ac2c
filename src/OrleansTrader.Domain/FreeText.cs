namespace OrleansTrader.Domain;

/// <summary>Rules for the free text people read back (names, reasons, notes), shared by the gateway and the grains.</summary>
public static class FreeText
{
    /// <summary>
    /// A control character, or a bidirectional embedding, override or isolate (U+202A-U+202E, U+2066-U+2069), which shows
    /// the text after it reordered: "desk [U+202E]deggolnu" reads "desk unlogged". The marks U+200E and U+200F, which place
    /// punctuation in right-to-left text, reorder nothing else and are not refused.
    /// </summary>
    public static bool IsRefused(char c) => char.IsControl(c) || c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');
}
