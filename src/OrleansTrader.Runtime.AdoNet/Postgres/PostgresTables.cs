namespace OrleansTrader.Runtime.AdoNet;

/// <summary>Schema-qualified table names: constants, behind the validated schema name as SQL names it (quoted).</summary>
internal sealed class PostgresTables(string schema)
{
    public string Schema { get; } = schema;

    public string GrainState { get; } = schema + ".grain_state";

    public string Reminders { get; } = schema + ".reminders";

    public string StreamEvents { get; } = schema + ".stream_events";

    public string StreamHeads { get; } = schema + ".stream_heads";

    public string StreamCheckpoints { get; } = schema + ".stream_checkpoints";

    public string StreamDeadLetters { get; } = schema + ".stream_dead_letters";

    public string StreamSubscriptions { get; } = schema + ".stream_subscriptions";
}
