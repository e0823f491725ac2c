namespace OrleansTrader.Runtime;

/// <summary>
/// A grain addressed by a <see cref="Guid"/>. The key is stored in its canonical text form (lower-case "D" format), and
/// read back with <see cref="GrainExtensions.GetPrimaryKey"/>.
/// </summary>
public interface IGrainWithGuidKey : IGrain
{
}
