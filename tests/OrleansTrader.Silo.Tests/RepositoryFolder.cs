namespace OrleansTrader.Silo.Tests;

/// <summary>The checkout the tests run from: tests that read the docs, the sources or the deployment files find it here.</summary>
internal static class RepositoryFolder
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrleansTrader.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"OrleansTrader.sln not found above {AppContext.BaseDirectory}.");
    }
}
