namespace OrleansTrader.Silo.Tests;

/// <summary>
/// The silo reads the appsettings.json beside its binaries wherever it is started from (README.md); a content root given
/// on the command line or in the environment still wins. The binaries' folder is a temporary one here, with a settings
/// file of its own, and never the test's working directory.
/// </summary>
public sealed class SiloContentRootTests
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    [Fact]
    public void TheHost_ReadsTheAppSettingsBesideItsBinaries_NotInTheWorkingDirectory()
    {
        using var binaries = new SiloDataDirectory("content-root");
        Directory.CreateDirectory(binaries.Path);
        File.WriteAllText(Path.Combine(binaries.Path, "appsettings.json"), """{ "Logging": { "Format": "json" } }""");

        var builder = SiloHost.CreateBuilder([], binaries.Path, NoEnvironment);

        Assert.Equal(Path.TrimEndingDirectorySeparator(binaries.Path), Path.TrimEndingDirectorySeparator(builder.Environment.ContentRootPath));
        Assert.Equal("json", builder.Configuration["Logging:Format"]);
    }

    [Fact]
    public void AContentRootOnTheCommandLine_OrInTheEnvironment_IsTheHosts()
    {
        using var given = new SiloDataDirectory("content-root-given");
        Directory.CreateDirectory(given.Path);

        var builder = SiloHost.CreateBuilder(["--contentRoot", given.Path], "/nowhere", NoEnvironment);

        Assert.Equal(Path.TrimEndingDirectorySeparator(given.Path), Path.TrimEndingDirectorySeparator(builder.Environment.ContentRootPath));
        Assert.Null(SiloHost.ContentRoot([], "/nowhere", name => name == "ASPNETCORE_CONTENTROOT" ? given.Path : null));
        Assert.Null(SiloHost.ContentRoot([], "/nowhere", name => name == "DOTNET_CONTENTROOT" ? given.Path : null));
        Assert.Equal("/bin/silo", SiloHost.ContentRoot(["--urls", "http://127.0.0.1:5181"], "/bin/silo", NoEnvironment));
    }
}
