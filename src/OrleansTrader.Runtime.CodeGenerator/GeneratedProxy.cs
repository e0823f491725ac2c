using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace OrleansTrader.Runtime.CodeGenerator;

/// <summary>The generated source for one grain interface, or the diagnostics that prevented it.</summary>
/// <remarks>
/// Compared by value: the incremental pipeline reuses its output only when the new result equals the old one, so with
/// reference equality every edit anywhere re-emitted every proxy.
/// </remarks>
internal sealed class GeneratedProxy : IEquatable<GeneratedProxy>
{
    public GeneratedProxy(string hintName, string? source, IReadOnlyList<Diagnostic> diagnostics)
    {
        HintName = hintName;
        Source = source;
        Diagnostics = diagnostics;
    }

    public string HintName { get; }

    public string? Source { get; }

    public IReadOnlyList<Diagnostic> Diagnostics { get; }

    public bool Equals(GeneratedProxy? other) =>
        other is not null
        && HintName == other.HintName
        && Source == other.Source
        && Diagnostics.SequenceEqual(other.Diagnostics);

    public override bool Equals(object? obj) => Equals(obj as GeneratedProxy);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(HintName);
}
