using System.Globalization;
using System.Text.RegularExpressions;

namespace OrleansTrader.Grains.Abstractions;

/// <summary>
/// What a transfer's fields must be: the gateway checks a request against these before any grain is called (an invalid
/// body is 400 whatever the account), and the account checks again behind it. Each method answers the problem, or null.
/// </summary>
public static partial class CashTransferRules
{
    /// <summary>A transfer moves at most a trillion dollars, to the cent: the ledger's money stays exact and reports add up to the cent.</summary>
    public const decimal MaxAmount = 1_000_000_000_000m;

    /// <summary>The most cash a deposit may leave in an account: what an account may open with (the gateway checks the same).</summary>
    public const decimal MaxCash = 1_000_000_000_000m;

    /// <summary><see cref="MaxCash"/> as the refusals write it: 1,000,000,000,000.</summary>
    public static string MaxCashText { get; } = MaxCash.ToString("N0", CultureInfo.InvariantCulture);

    public const int MaxNoteLength = 200;

    public static string? TransferIdProblem(string? transferId) =>
        transferId is not null && TransferIdPattern().IsMatch(transferId) ? null : "Must be 1 to 64 letters, digits, '-', '_' or '.'.";

    public static string? AmountProblem(decimal amount) =>
        amount == 0m || Math.Abs(amount) > MaxAmount || decimal.Round(amount, 2) != amount
            ? $"Must be a non-zero amount in dollars, to the cent (at most 2 decimals), up to {MaxAmount.ToString("N0", CultureInfo.InvariantCulture)}: positive to deposit, negative to withdraw."
            : null;

    /// <summary>
    /// Control characters refused as in the API's other free text: a note is shown in statements, logs and events. So are
    /// the bidirectional embeddings, overrides and isolates, which show the text after them reordered.
    /// </summary>
    public static string? NoteProblem(string? note) =>
        note is not null && (note.Length > MaxNoteLength || note.Any(Domain.FreeText.IsRefused))
            ? $"Must be at most {MaxNoteLength} characters, without control or bidirectional formatting characters."
            : null;

    // \z, not $: "$" also matches before a final line break, so "t1\n" passed as an id of its own (a retry with it moved the
    // cash twice) and broke the log line it was written in.
    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,64}\z")]
    private static partial Regex TransferIdPattern();
}
