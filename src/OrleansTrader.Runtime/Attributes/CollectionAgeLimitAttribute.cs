namespace OrleansTrader.Runtime;

/// <summary>On a grain class: how long an activation may stay idle before it is collected (overrides SiloOptions.CollectionAge).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true, AllowMultiple = false)]
public sealed class CollectionAgeLimitAttribute : Attribute
{
    public double Minutes { get; init; }

    public double Hours { get; init; }

    public double Days { get; init; }

    public TimeSpan Amount => TimeSpan.FromDays(Days) + TimeSpan.FromHours(Hours) + TimeSpan.FromMinutes(Minutes);
}
