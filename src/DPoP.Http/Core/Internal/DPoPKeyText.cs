namespace DPoP.Http.Internal;

/// <summary>
/// Loads a private key given the way settings give one: PEM (PKCS#8, SEC 1, PKCS#1) or a private JWK as JSON,
/// inline or in a file. One routine for the DPoP key of a client and the key of its client assertions.
/// </summary>
internal static class DPoPKeyText
{
    /// <summary>Loads the key from <paramref name="path"/> when given, else from <paramref name="inline"/>.</summary>
    /// <exception cref="InvalidOperationException">Neither is given.</exception>
    /// <exception cref="ArgumentException">The text is not a usable private key (the message names the rule, never the key).</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static DPoPKey Load(string? inline, string? path, string? algorithm)
    {
        var text = path is { Length: > 0 } ? File.ReadAllText(path)
            : inline is { Length: > 0 } ? inline
            : throw new InvalidOperationException("No key is configured.");
        return text.TrimStart().StartsWith('{') ? DPoPKey.FromJwk(text, algorithm) : DPoPKey.FromPem(text, algorithm);
    }
}
