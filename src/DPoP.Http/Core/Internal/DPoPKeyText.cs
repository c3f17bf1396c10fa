using System.Security;
using System.Text;

namespace DPoP.Http.Internal;

/// <summary>
/// Loads a private key given the way settings give one: PEM (PKCS#8, SEC 1, PKCS#1) or a private JWK as JSON,
/// inline or in a file. One routine for the DPoP key of a client, the key of its client assertions and the keys of
/// the ASP.NET Core package, at start-up validation and at run time alike.
/// </summary>
internal static class DPoPKeyText
{
    /// <summary>
    /// The most characters read from a key file. A PEM key with its certificate chain is a few kilobytes; the bound
    /// keeps a wrong path (a log file, <c>/dev/zero</c>) from being read whole at start-up.
    /// </summary>
    public const int MaxFileChars = 1 << 20;

    /// <summary>Loads the key from <paramref name="path"/> when given, else from <paramref name="inline"/>.</summary>
    /// <exception cref="InvalidOperationException">Neither is given.</exception>
    /// <exception cref="ArgumentException">The text is not a usable private key, or the file is over 1 MiB (the message names the rule, never the key).</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    public static DPoPKey Load(string? inline, string? path, string? algorithm)
    {
        var text = path is { Length: > 0 } ? ReadFile(path)
            : inline is { Length: > 0 } ? inline
            : throw new InvalidOperationException("No key is configured.");
        return text.TrimStart().StartsWith('{') ? DPoPKey.FromJwk(text, algorithm) : DPoPKey.FromPem(text, algorithm);
    }

    /// <summary>
    /// Why the configured key cannot be used, as a start-up validation message that names the property holding it
    /// (<paramref name="inlineName"/> or <paramref name="pathName"/>) and the rule; null when the key loads.
    /// </summary>
    public static string? Problem(string? inline, string? path, string? algorithm, string inlineName, string pathName)
    {
        try
        {
            using var key = Load(inline, path, algorithm);
            return null;
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or UnauthorizedAccessException or NotSupportedException or SecurityException)
        {
            // Import messages name the rule broken and never quote the key; file errors name the path, not its content.
            return $"{(path is { Length: > 0 } ? pathName : inlineName)} does not hold a usable private key: {ex.Message}";
        }
    }

    private static string ReadFile(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var buffer = new char[MaxFileChars + 1];
        try
        {
            var read = reader.ReadBlock(buffer, 0, buffer.Length);
            return read <= MaxFileChars
                ? new string(buffer, 0, read)
                : throw new ArgumentException("The key file is larger than 1 MiB, far more than a key file holds; check the path.", nameof(path));
        }
        finally
        {
            Array.Clear(buffer);
        }
    }
}
