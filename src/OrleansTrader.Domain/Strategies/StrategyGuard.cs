using System.Globalization;

namespace OrleansTrader.Domain.Strategies;

/// <summary>Checks shared by the built-in strategies.</summary>
internal static class StrategyGuard
{
    public static IStrategyContext Started(IStrategyContext? context, string kind) =>
        context ?? throw new InvalidOperationException($"Strategy '{kind}' received an event before OnStart.");

    public static void Attach(IStrategyContext context, StrategyParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.Symbols.Contains(parameters.Symbol, StringComparer.Ordinal))
        {
            throw new ArgumentException($"The context's symbols ({string.Join(", ", context.Symbols)}) do not include '{parameters.Symbol}'.", nameof(context));
        }
    }

    public static void NotStarted(IStrategyContext? context, string kind)
    {
        if (context is not null)
        {
            throw new InvalidOperationException($"Strategy '{kind}' must be restored before OnStart.");
        }
    }

    public static T StateOf<T>(StrategyState state, string kind)
        where T : StrategyState
    {
        ArgumentNullException.ThrowIfNull(state);
        return state as T ?? throw new ArgumentException($"Strategy '{kind}' cannot restore a {state.GetType().Name}.", nameof(state));
    }

    public static void SamePeriod(int expected, int actual, string parameter)
    {
        if (expected != actual)
        {
            throw new ArgumentException($"Snapshot was taken with {parameter} {actual}, but the strategy has {expected}.", parameter);
        }
    }

    public static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
