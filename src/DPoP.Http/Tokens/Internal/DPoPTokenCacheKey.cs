using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace DPoP.Http.Internal;

/// <summary>
/// Keys of shared token cache entries: a kind (<c>cc</c> for client credentials; user sessions will have their own)
/// and a SHA-256 over everything that makes one token differ from another, the JWK thumbprint of the key it is bound
/// to included, so an instance never finds a token bound to a key it does not hold.
/// </summary>
/// <remarks>
/// Hashed rather than spelled out: a key stays short and valid whatever the client id or scope holds, and a cache
/// listing shows no client ids or endpoints. Each field is length-prefixed, so no two field lists hash alike.
/// </remarks>
internal static class DPoPTokenCacheKey
{
    /// <summary>The prefix of every entry this library writes; the version changes with the entry format.</summary>
    public const string Prefix = "dpop:token:v1:";

    public static string ClientCredentials(DPoPTokenClientOptions options, string jwkThumbprint)
    {
        var text = new StringBuilder(256);
        Append(text, options.TokenEndpoint!.AbsoluteUri);
        Append(text, options.ClientId);
        Append(text, options.Scope);
        text.Append(options.Resources.Count).Append(';');
        foreach (var resource in options.Resources)
        {
            Append(text, resource);
        }

        Append(text, options.Audience);
        Append(text, jwkThumbprint);
        return Prefix + "cc:" + Hash(text.ToString());
    }

    private static void Append(StringBuilder text, string? value) =>
        text.Append(value is null ? -1 : value.Length).Append(':').Append(value).Append(';');

    private static string Hash(string text)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        return Base64Url.EncodeToString(hash);
    }
}
