using OrleansTrader.Gateway.Security;

namespace OrleansTrader.Gateway.Tests.Infrastructure;

/// <summary>Captures the generated bootstrap key instead of printing it.</summary>
internal sealed class CapturingKeyConsole : ApiKeyConsole
{
    private readonly List<string> _keys = [];

    public IReadOnlyList<string> Keys => _keys;

    public override void PrintBootstrapKey(string keyId, string key) => _keys.Add(key);
}
