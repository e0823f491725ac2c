namespace OrleansTrader.Gateway.Security;

/// <summary>Writes the generated first admin key to standard output, once, never to the log pipeline (logs get shipped).</summary>
internal class ApiKeyConsole
{
    public virtual void PrintBootstrapKey(string keyId, string key)
    {
        var line = new string('=', 78);
        Console.Out.WriteLine(line);
        Console.Out.WriteLine($" OrleansTrader admin API key (shown once, store it now): {key}");
        Console.Out.WriteLine($" Key id: {keyId}. Use it as: Authorization: Bearer <key>");
        Console.Out.WriteLine(" Lost it? Restart with Gateway__BootstrapAdminKey=<a 32+ character secret> to add an admin key.");
        Console.Out.WriteLine(line);
        Console.Out.Flush();
    }
}
