using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace OrleansTrader.Silo.Tests;

/// <summary>Compiles and lints infra/main.bicep once for the test class, with the Bicep compiler from its package.</summary>
public sealed class DeploymentTemplateFixture : IAsyncLifetime
{
    private static readonly TimeSpan BicepTimeout = TimeSpan.FromMinutes(3);

    private JsonObject? _template;
    private BicepRun _build = BicepRun.NotRun;
    private BicepRun _lint = BicepRun.NotRun;
    private string? _skipReason;

    public string RepositoryRoot { get; } = RepositoryFolder.Root;

    public string AzureYaml { get; private set; } = "";

    /// <summary>The one service azure.yaml declares.</summary>
    public string ServiceName { get; private set; } = "";

    // Each of these skips the test on a machine the compiler package has no executable for.

    public BicepRun Build => Supported(_build);

    public BicepRun Lint => Supported(_lint);

    /// <summary>The ARM template that `bicep build` produced.</summary>
    public JsonObject Template => Supported(_template) ?? throw new InvalidOperationException(
        $"bicep build failed (exit {_build.ExitCode}):\n{_build.Diagnostics}");

    public async ValueTask InitializeAsync()
    {
        AzureYaml = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot, "azure.yaml"));
        ServiceName = Assert.Single(AzureYamlServices(AzureYaml));

        // The package holds a linux-x64 executable only; CI is linux-x64.
        if (!OperatingSystem.IsLinux() || RuntimeInformation.OSArchitecture != Architecture.X64)
        {
            _skipReason = $"The Bicep compiler package used here is linux-x64 only; this is {RuntimeInformation.RuntimeIdentifier}.";
            return;
        }

        var bicep = typeof(DeploymentTemplateFixture).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "BicepExecutable").Value;
        if (string.IsNullOrEmpty(bicep) || !File.Exists(bicep))
        {
            throw new InvalidOperationException($"The bicep executable was not restored (looked for '{bicep}').");
        }

        var mode = File.GetUnixFileMode(bicep);
        if ((mode & UnixFileMode.UserExecute) == 0)
        {
            File.SetUnixFileMode(bicep, mode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }

        var main = Path.Combine("infra", "main.bicep");
        _build = await BicepRun.RunAsync(bicep, RepositoryRoot, BicepTimeout, "build", main, "--stdout");
        _lint = await BicepRun.RunAsync(bicep, RepositoryRoot, BicepTimeout, "lint", main);
        if (_build.ExitCode == 0)
        {
            _template = JsonNode.Parse(_build.Output)!.AsObject();
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private T Supported<T>(T value)
    {
        Assert.SkipWhen(_skipReason is not null, _skipReason ?? "");
        return value;
    }

    /// <summary>The keys directly under `services:` in azure.yaml (read as text: no YAML parser in the build).</summary>
    internal static List<string> AzureYamlServices(string yaml)
    {
        var services = new List<string>();
        int? indent = null;
        var inServices = false;
        foreach (var line in yaml.Split('\n').Select(l => l.TrimEnd('\r')))
        {
            var content = line.TrimStart();
            if (content.Length == 0 || content.StartsWith('#'))
            {
                continue;
            }

            var depth = line.Length - content.Length;
            if (depth == 0)
            {
                inServices = content.StartsWith("services:", StringComparison.Ordinal);
                continue;
            }

            if (inServices && (indent ??= depth) == depth)
            {
                services.Add(content.TrimEnd(':'));
            }
        }

        return services;
    }
}

/// <summary>One run of the bicep executable: its exit code, standard output, and diagnostics (standard error).</summary>
public sealed record BicepRun(int ExitCode, string Output, string Diagnostics)
{
    public static BicepRun NotRun { get; } = new(-1, "", "bicep was not run.");

    public static async Task<BicepRun> RunAsync(
        string bicep, string workingDirectory, TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo(bicep)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {bicep}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var diagnostics = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} did not finish within {timeout}.");
        }

        return new BicepRun(process.ExitCode, await output, (await diagnostics).Trim());
    }
}

