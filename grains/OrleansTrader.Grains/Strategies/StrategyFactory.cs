using System.Diagnostics.CodeAnalysis;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Grains.Strategies;

/// <summary>Builds a strategy through the silo's registry of kinds, with every refusal as an error code and a message.</summary>
internal static class StrategyFactory
{
    public static bool TryCreate(StrategyRegistry strategies, string kind, IReadOnlyList<string> symbols, IReadOnlyDictionary<string, string> parameters,
        [NotNullWhen(true)] out IStrategy? strategy, out string? errorCode, out string? message)
    {
        strategy = null;
        (errorCode, message) = (null, null);
        if (!strategies.IsKnown(kind))
        {
            (errorCode, message) = (StrategyErrorCodes.UnknownKind, $"Unknown strategy kind \"{kind}\"; known: {string.Join(", ", strategies.Kinds)}.");
            return false;
        }

        try
        {
            strategy = strategies.Create(kind, symbols, parameters);
            return true;
        }
        catch (ArgumentException ex)
        {
            (errorCode, message) = (StrategyErrorCodes.InvalidParameters, WithoutParameterName(ex));
            return false;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException && strategies.IsCustom(kind))
        {
            // A registered kind's own code failed: an answer, not an exception, or an activation that builds it after a
            // restart would fail every call to the grain, stop included.
            (errorCode, message) = (StrategyErrorCodes.InvalidParameters, $"Strategy kind \"{kind}\" could not be built: {ex.Message}");
            return false;
        }
    }

    /// <summary>
    /// The message as the API answers it: .NET appends " (Parameter 'x')" to an argument exception's message, exception
    /// text that names only the first of the parameters the message lists.
    /// </summary>
    private static string WithoutParameterName(ArgumentException ex)
    {
        var suffix = $" (Parameter '{ex.ParamName}')";
        return ex.ParamName is not null && ex.Message.EndsWith(suffix, StringComparison.Ordinal) ? ex.Message[..^suffix.Length] : ex.Message;
    }
}
