using System.IO.Compression;
using System.Text;

namespace OrleansTrader.MarketData.Tests.Support;

internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ot-md-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Write(string relativePath, string content, bool gzip = false)
    {
        var full = System.IO.Path.Combine(Path, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        var bytes = Encoding.UTF8.GetBytes(content);
        if (gzip)
        {
            using var file = File.Create(full);
            using var zip = new GZipStream(file, CompressionLevel.Fastest);
            zip.Write(bytes);
        }
        else
        {
            File.WriteAllBytes(full, bytes);
        }

        return full;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
