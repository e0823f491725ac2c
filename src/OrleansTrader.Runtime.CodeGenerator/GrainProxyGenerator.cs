using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace OrleansTrader.Runtime.CodeGenerator;

/// <summary>
/// Emits, for every interface deriving from OrleansTrader.Runtime.IGrain declared in the compilation, a proxy class (builds a
/// typed request object per call and sends it; no reflection, no object[] of arguments) and one request class per method
/// that invokes the grain (the invoker). An assembly attribute maps the interface to the proxy factory.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class GrainProxyGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var interfaces = context.SyntaxProvider.CreateSyntaxProvider(
                static (node, _) => node is InterfaceDeclarationSyntax { BaseList: not null },
                static (syntaxContext, cancellationToken) =>
                {
                    var symbol = syntaxContext.SemanticModel.GetDeclaredSymbol(syntaxContext.Node, cancellationToken) as INamedTypeSymbol;
                    return symbol is not null && ProxyEmitter.IsGrainInterface(symbol) ? ProxyEmitter.Emit(symbol) : null;
                })
            .Where(static result => result is not null)
            .Collect();

        context.RegisterSourceOutput(interfaces, static (productionContext, results) => Produce(productionContext, results));
    }

    private static void Produce(SourceProductionContext context, ImmutableArray<GeneratedProxy?> results)
    {
        foreach (var result in results.Where(r => r is not null).GroupBy(r => r!.HintName).Select(g => g.First()!))
        {
            foreach (var diagnostic in result.Diagnostics)
            {
                context.ReportDiagnostic(diagnostic);
            }

            if (result.Source is not null)
            {
                context.AddSource(result.HintName, result.Source);
            }
        }
    }
}
