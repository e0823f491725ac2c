using Microsoft.Extensions.Configuration;

namespace OrleansTrader.Silo;

/// <summary>
/// The silo's host builder. Its content root, where it reads appsettings.json, is the folder of the silo's own binaries
/// (the build copies appsettings.json there), not the working directory: started from elsewhere (the DLL or executable run
/// from another folder, a service manager's unit) the host found no appsettings.json and ran without its settings. Relative paths in the settings (Storage:DataDirectory,
/// Feed:Path) stay relative to the working directory (README.md).
/// </summary>
internal static class SiloHost
{
    /// <summary>The environment variables the host takes a content root from, as it does <c>--contentRoot</c>.</summary>
    private static readonly string[] ContentRootVariables = ["ASPNETCORE_CONTENTROOT", "DOTNET_CONTENTROOT"];

    public static WebApplicationBuilder CreateBuilder(string[] args) =>
        CreateBuilder(args, AppContext.BaseDirectory, Environment.GetEnvironmentVariable);

    /// <summary>The builder with <paramref name="binaries"/> as its content root unless one is given (see <see cref="ContentRoot"/>).</summary>
    internal static WebApplicationBuilder CreateBuilder(string[] args, string binaries, Func<string, string?> environment) =>
        WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = ContentRoot(args, binaries, environment) });

    /// <summary>
    /// <paramref name="binaries"/>, or null when the command line (<c>--contentRoot</c>) or the environment names a content
    /// root: the host then takes that one (an explicit root set here would override it), as a test host's factory relies on.
    /// </summary>
    internal static string? ContentRoot(string[] args, string binaries, Func<string, string?> environment)
    {
        var given = new ConfigurationBuilder().AddCommandLine(args).Build()[HostDefaults.ContentRootKey];
        return string.IsNullOrEmpty(given) && ContentRootVariables.All(name => string.IsNullOrEmpty(environment(name))) ? binaries : null;
    }
}
