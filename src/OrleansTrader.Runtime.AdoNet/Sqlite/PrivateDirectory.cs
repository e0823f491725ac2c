namespace OrleansTrader.Runtime.AdoNet;

/// <summary>
/// Creates the folder that holds the silo's data owner-only (0700 on Unix; the folders above it that are missing too are
/// created with the usual mode): the databases keep every account's orders and the webhooks' signing secrets in the clear
/// (signing needs the secret itself), so another user of the machine must not read them. A folder that exists already
/// keeps the permissions its owner gave it.
/// </summary>
public static class PrivateDirectory
{
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public static void Create(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            // A new folder inherits its parent's access list; the user's profile folders are private already.
            Directory.CreateDirectory(path);
            return;
        }

        Directory.CreateDirectory(path, OwnerOnly);
    }
}
