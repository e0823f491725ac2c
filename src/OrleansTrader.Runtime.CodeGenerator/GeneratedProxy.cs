using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace OrleansTrader.Runtime.CodeGenerator;

/// <summary>The generated source for one grain interface, or the diagnostics that prevented it.</summary>
internal sealed class GeneratedProxy
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
}
