namespace OrleansTrader.Gateway.Validation;

/// <summary>Field-keyed validation messages, rendered as the "errors" of a 400 ValidationProblem.</summary>
internal sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsEmpty => _errors.Count == 0;

    public bool Has(string field) => _errors.ContainsKey(field);

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var messages))
        {
            _errors[field] = messages = [];
        }

        messages.Add(message);
    }

    public Dictionary<string, string[]> ToDictionary() => _errors.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
}
