using Microsoft.CodeAnalysis;

namespace OrleansTrader.Runtime.CodeGenerator;

internal static class Diagnostics
{
    public static readonly DiagnosticDescriptor UnsupportedMember = new(
        "OTR001",
        "Unsupported grain interface member",
        "Grain interface member '{0}' is not supported: {1}",
        "OrleansTrader.Runtime",
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);
}
