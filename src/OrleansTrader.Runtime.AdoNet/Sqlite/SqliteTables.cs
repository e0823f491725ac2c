namespace OrleansTrader.Runtime.AdoNet;

/// <summary>Table names: constants, behind an optional validated prefix.</summary>
internal sealed class SqliteTables(string prefix)
{
    public string GrainState { get; } = prefix + "grain_state";

    public string Reminders { get; } = prefix + "reminders";

    public string StreamEvents { get; } = prefix + "stream_events";

    public string StreamHeads { get; } = prefix + "stream_heads";

    public string StreamCheckpoints { get; } = prefix + "stream_checkpoints";

    public string StreamDeadLetters { get; } = prefix + "stream_dead_letters";

    public string StreamSubscriptions { get; } = prefix + "stream_subscriptions";

    public string Prefix { get; } = prefix;
}
