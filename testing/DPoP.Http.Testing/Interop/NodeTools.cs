namespace DPoP.Http.Testing;

/// <summary>Finds node and npm on PATH and the repository's tests/interop folder.</summary>
public static class NodeTools
{
    /// <summary>oidc-provider 9 warns below Node 22 but runs on 20.18+; tests/interop/package.json says the same.</summary>
    public const int MinimumNodeVersion = 20;

    /// <summary>The major version <c>node --version</c> reports, or null when it cannot be read.</summary>
    public static int? GetMajorVersion(string node)
    {
        var startInfo = new System.Diagnostics.ProcessStartInfo(node, "--version") { RedirectStandardOutput = true, UseShellExecute = false };
        using var process = System.Diagnostics.Process.Start(startInfo);
        if (process is null)
        {
            return null;
        }

        var output = process.StandardOutput.ReadToEnd().Trim(); // "v20.20.2"
        process.WaitForExit(TimeSpan.FromSeconds(30));
        var major = output.TrimStart('v').Split('.')[0];
        return int.TryParse(major, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    /// <summary>The full path of <paramref name="name"/> on PATH (with the Windows extensions on Windows), or null.</summary>
    public static string? FindOnPath(string name)
    {
        var extensions = OperatingSystem.IsWindows() ? new[] { ".exe", ".cmd", ".bat" } : [string.Empty];
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var extension in extensions)
            {
                var candidate = Path.Combine(directory.Trim('"'), name + extension);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>Walks up from the test assembly's folder to the folder holding tests/interop/package.json.</summary>
    public static string FindInteropDirectory(string startDirectory)
    {
        for (var directory = new DirectoryInfo(startDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "interop");
            if (File.Exists(Path.Combine(candidate, "package.json")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"No tests/interop/package.json above {startDirectory}: the interop suite runs from a clone of the repository.");
    }

    /// <summary>
    /// True when node_modules was installed (npm ci writes node_modules/.package-lock.json) after the last change to
    /// package.json and package-lock.json.
    /// </summary>
    public static bool IsInstalled(string interopDirectory)
    {
        var installed = new FileInfo(Path.Combine(interopDirectory, "node_modules", ".package-lock.json"));
        if (!installed.Exists)
        {
            return false;
        }

        var lockFile = new FileInfo(Path.Combine(interopDirectory, "package-lock.json"));
        var manifest = new FileInfo(Path.Combine(interopDirectory, "package.json"));
        return installed.LastWriteTimeUtc >= lockFile.LastWriteTimeUtc && installed.LastWriteTimeUtc >= manifest.LastWriteTimeUtc;
    }

    /// <summary>
    /// Takes the machine-wide lock on installing <paramref name="interopDirectory"/>'s packages: a file opened
    /// exclusively (tests/interop/.npm-install.lock, ignored by git), released by disposing it, and by the OS if the
    /// test host dies.
    /// </summary>
    /// <exception cref="TimeoutException">Another process held it longer than <paramref name="timeout"/>.</exception>
    public static async Task<IDisposable> LockInstallAsync(string interopDirectory, TimeSpan timeout)
    {
        var path = Path.Combine(interopDirectory, ".npm-install.lock");
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250));
            }
            catch (IOException ex)
            {
                throw new TimeoutException($"Another process has been installing the interop servers' packages for over {timeout.TotalSeconds:0} s ({path}).", ex);
            }
        }
    }
}
