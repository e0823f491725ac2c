using System.Collections.Concurrent;
using OrleansTrader.Domain.Fees;

namespace OrleansTrader.Brokers.Paper;

/// <summary>A fee schedule as the venue uses it: the account's spec and the model built from it (one per distinct spec).</summary>
internal sealed class PaperFees
{
    private static readonly ConcurrentDictionary<FeeModelSpec, PaperFees> Built = new();

    private PaperFees(FeeModelSpec spec, IFeeModel model)
    {
        Spec = spec;
        Model = model;
    }

    public static PaperFees Default { get; } = For(PaperAccountSettings.Default.FeeModel);

    public FeeModelSpec Spec { get; }

    public IFeeModel Model { get; }

    /// <summary>What an order record keeps: null for the default schedule, so the usual record carries nothing more.</summary>
    public FeeModelSpec? ForRecord => Spec == PaperAccountSettings.Default.FeeModel ? null : Spec;

    /// <summary>The schedule of <paramref name="spec"/>; an invalid spec throws (the account validated it before).</summary>
    public static PaperFees For(FeeModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return Built.GetOrAdd(spec, static s =>
        {
            var model = FeeModelFactory.Create(s);
            return model.IsSuccess ? new PaperFees(s, model.GetValueOrThrow()) : throw new ArgumentException(model.Error!.ToString(), nameof(spec));
        });
    }
}
