using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using OrleansTrader.Runtime.CodeGenerator;

namespace OrleansTrader.Runtime.Tests;

/// <summary>The proxy generator over grain interfaces a user might write: each either compiles or gets OTR001.</summary>
public sealed class GrainProxyGeneratorTests
{
    private const string Usings = "using System.Threading.Tasks;\nusing OrleansTrader.Runtime;\n";

    [Fact]
    public void SupportedShapes_CompileWithoutErrors()
    {
        var result = Run(Usings + """
            namespace Sample;

            public interface IBaseA : IGrainWithStringKey { Task Shared(int value); }
            public interface IBaseB : IGrainWithStringKey { Task Shared(int value); }
            public interface IRoot : IGrainWithStringKey { Task<int> Root(); }
            public interface ILeft : IRoot { }
            public interface IRight : IRoot { }

            public interface IThing : IBaseA, IBaseB, ILeft, IRight
            {
                Task Overload(int value);
                Task Overload(string value);
                Task<string?> Names(string request, object grain, System.Threading.CancellationToken cancellationToken, int Arg0, string @class);
                ValueTask Defaults(int value = 3, string? text = null, params int[] rest);
                ValueTask<int?> @event(int? maybe);
                [OneWay] Task Fire();
            }
            """);

        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.CompileErrors);
    }

    [Theory]
    [InlineData("void Sync();")]
    [InlineData("System.Collections.Generic.IAsyncEnumerable<int> Stream();")]
    [InlineData("int Plain();")]
    [InlineData("Task Generic<T>(T value);")]
    [InlineData("Task Out(out int value);")]
    [InlineData("Task Ref(ref int value);")]
    [InlineData("Task In(in int value);")]
    [InlineData("[OneWay] Task<int> OneWayWithResult();")]
    [InlineData("int Property { get; }")]
    [InlineData("Task Span(System.ReadOnlySpan<byte> data);")]
    [InlineData("static abstract Task<int> Create();")]
    [InlineData("static abstract int Count { get; }")]
    public void UnsupportedMember_GetsOtr001_AndNoBrokenCode(string member)
    {
        var result = Run(Usings + "namespace Sample;\npublic interface IThing : IGrainWithStringKey { " + member + " }");

        Assert.Contains(result.GeneratorDiagnostics, d => d.Id == "OTR001");
        Assert.Empty(result.CompileErrors);
    }

    [Theory]
    [InlineData("Task Pointer(int* value);")]
    [InlineData("Task Pointers(int*[] values);")]
    [InlineData("Task FunctionPointer(delegate*<int, void> callback);")]
    public void PointerParameterInUnsafeInterface_GetsOtr001SayingSo_AndNoBrokenCode(string member)
    {
        var result = Run(Usings + "namespace Sample;\npublic unsafe interface IThing : IGrainWithStringKey { " + member + " }");

        var diagnostic = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("OTR001", diagnostic.Id);
        Assert.EndsWith("is not supported: pointer parameters are not supported: pass the values themselves (an array or ReadOnlyMemory<T>)",
            diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Empty(result.CompileErrors);
    }

    [Fact]
    public void GenericGrainInterface_GetsOtr001()
    {
        var result = Run(Usings + "namespace Sample;\npublic interface IThing<T> : IGrainWithStringKey { Task<T> Get(); }");

        Assert.Contains(result.GeneratorDiagnostics, d => d.Id == "OTR001");
        Assert.Empty(result.CompileErrors);
    }

    [Fact]
    public void KeywordNamespace_CompilesWithoutErrors()
    {
        var result = Run(Usings + "namespace Sample.@event { public interface IThing : IGrainWithStringKey { Task<int> Get(); } }");

        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.CompileErrors);
    }

    [Fact]
    public void NestedTypeInGrainInterface_IsNotReportedAsMember()
    {
        var result = Run(Usings + """
            namespace Sample;
            public interface IThing : IGrainWithStringKey
            {
                enum Mode { Fast, Slow }
                record Reading(int Value);
                Task<Reading> Read(Mode mode);
            }
            """);

        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.CompileErrors);
    }

    [Fact]
    public void InterfacesWhoseNamesDifferOnlyInPunctuation_EachGetAProxy()
    {
        var result = Run(
            Usings + "namespace A.B { public interface IFoo : IGrainWithStringKey { Task One(); } }",
            Usings + "namespace AB { public interface IFoo : IGrainWithStringKey { Task Two(); } }",
            Usings + "namespace A_B { public interface IFoo : IGrainWithStringKey { Task Three(); } }");

        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.CompileErrors);
        foreach (var name in new[] { "global::A.B.IFoo", "global::AB.IFoo", "global::A_B.IFoo" })
        {
            Assert.Contains(result.Generated, source => source.Contains("GrainProxyAttribute(typeof(" + name + ")", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("private")]
    [InlineData("protected")]
    [InlineData("private protected")]
    public void InterfaceTheProxyCannotSee_GetsOtr001_AndNoBrokenCode(string accessibility)
    {
        var result = Run(Usings + "namespace Sample;\npublic class Outer { " + accessibility + " interface IHidden : IGrainWithStringKey { Task Ping(); } }");

        Assert.Contains(result.GeneratorDiagnostics, d => d.Id == "OTR001");
        Assert.Empty(result.CompileErrors);
    }

    [Fact]
    public void FileLocalInterface_GetsOtr001_AndNoBrokenCode()
    {
        var result = Run(Usings + "namespace Sample;\nfile interface IHidden : IGrainWithStringKey { Task Ping(); }");

        Assert.Contains(result.GeneratorDiagnostics, d => d.Id == "OTR001");
        Assert.Empty(result.CompileErrors);
    }

    [Fact]
    public void InternalAndNestedInternalInterfaces_CompileWithoutErrors()
    {
        var result = Run(Usings + """
            namespace Sample;
            internal interface IInternal : IGrainWithStringKey { Task Ping(); }
            internal class Outer { internal interface INested : IGrainWithStringKey { Task Ping(); } protected internal interface IProtectedInternal : IGrainWithStringKey { Task Ping(); } }
            """);

        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.CompileErrors);
    }

    [Fact]
    public void MethodsOfNonGrainBaseInterface_AreProxiedToo()
    {
        var result = Run(Usings + """
            namespace Sample;
            public interface IPingable { Task<int> Ping(); }
            public interface IThing : IPingable, IGrainWithStringKey { Task Other(); }
            """);

        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.CompileErrors);
    }

    [Fact]
    public void NonGrainBaseInterfaceWithUnsupportedMethod_GetsOtr001()
    {
        var result = Run(Usings + """
            namespace Sample;
            public interface IThing : System.IDisposable, IGrainWithStringKey { Task Other(); }
            """);

        Assert.Contains(result.GeneratorDiagnostics, d => d.Id == "OTR001");
        Assert.Empty(result.CompileErrors);
    }

    [Fact]
    public void ParameterNamedLikeTheBaseClassInvokeMethod_CompilesWithoutErrors()
    {
        var result = Run(Usings + "namespace Sample;\npublic interface IThing : IGrainWithStringKey { Task<int> Get(int InvokeAsync); Task Set(int InvokeAsync); }");

        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.CompileErrors);
    }

    [Fact]
    public void UnrelatedEdit_ReusesTheCachedProxies()
    {
        var parseOptions = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CreateCompilation(parseOptions, Usings + "namespace Sample;\npublic interface IThing : IGrainWithStringKey { Task<int> Get(); }");
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            [new GrainProxyGenerator().AsSourceGenerator()],
            parseOptions: parseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        driver = driver.RunGenerators(compilation, TestContext.Current.CancellationToken);

        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Sample; public sealed class Unrelated { }", parseOptions, cancellationToken: TestContext.Current.CancellationToken));
        driver = driver.RunGenerators(edited, TestContext.Current.CancellationToken);

        var outputs = driver.GetRunResult().Results.Single().TrackedOutputSteps.SelectMany(step => step.Value).SelectMany(run => run.Outputs);
        Assert.All(outputs, output => Assert.Equal(IncrementalStepRunReason.Cached, output.Reason));
    }

    private static GeneratorResult Run(params string[] sources)
    {
        var parseOptions = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CreateCompilation(parseOptions, sources);
        var inputErrors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(inputErrors.Count == 0, "The test source itself does not compile: " + string.Join("; ", inputErrors));

        GeneratorDriver driver = CSharpGeneratorDriver.Create([new GrainProxyGenerator().AsSourceGenerator()], parseOptions: parseOptions);
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics, TestContext.Current.CancellationToken);
        var compileErrors = output.GetDiagnostics(TestContext.Current.CancellationToken)
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .ToList();
        var generated = driver.GetRunResult().GeneratedTrees.Select(tree => tree.ToString()).ToList();
        return new GeneratorResult(generatorDiagnostics, compileErrors, generated);
    }

    private static CSharpCompilation CreateCompilation(CSharpParseOptions parseOptions, params string[] sources)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Select(path => MetadataReference.CreateFromFile(path))
            .Append(MetadataReference.CreateFromFile(typeof(IGrain).Assembly.Location));
        return CSharpCompilation.Create(
            "GeneratorInput",
            sources.Select(source => CSharpSyntaxTree.ParseText(source, parseOptions)),
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));
    }

    private sealed record GeneratorResult(ImmutableArray<Diagnostic> GeneratorDiagnostics, IReadOnlyList<Diagnostic> CompileErrors, IReadOnlyList<string> Generated);
}
