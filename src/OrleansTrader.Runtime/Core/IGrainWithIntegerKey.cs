namespace OrleansTrader.Runtime;

/// <summary>
/// A grain addressed by a 64-bit integer. The key is stored in its canonical text form (invariant decimal, no leading
/// zeros), and read back with <see cref="GrainExtensions.GetPrimaryKeyLong"/>.
/// </summary>
public interface IGrainWithIntegerKey : IGrain
{
}
