using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace DPoP.Http.Internal;

/// <summary>
/// Keys of shared token cache entries: a kind (<c>cc</c> for client credentials, <c>tx</c> for token exchange; user
/// sessions will have their own) and a SHA-256 over everything that makes one token differ from another — a token
/// partition's values and a hash of the subject token included, never the subject token itself — and the JWK
/// thumbprint of the key it is bound to, so an instance never finds a token bound to a key it does not hold.
/// </summary>
/// <remarks>
/// Hashed rather than spelled out: a key stays short and valid whatever the client id or scope holds, and a cache
/// listing shows no client ids or endpoints. Each field is length-prefixed, so no two field lists hash alike.
/// </remarks>
internal static class DPoPTokenCacheKey
{
    /// <summary>The prefix of every entry this library writes; the version changes with the entry format.</summary>
    public const string Prefix = "dpop:token:v1:";

    /// <summary>A client-credentials token of the client of <paramref name="options"/>, in <paramref name="partition"/> (null: the default one).</summary>
    public static string ClientCredentials(DPoPTokenClientOptions options, string jwkThumbprint, DPoPTokenPartitionValues? partition = null)
    {
        var text = new StringBuilder(256);
        Append(text, options.TokenEndpoint!.AbsoluteUri);
        Append(text, options.ClientId);
        Append(text, options.Scope);
        Append(text, options.Resources);
        Append(text, options.Audience);
        Append(text, jwkThumbprint);
        if (partition is not null)
        {
            text.Append("partition;").Append(partition.Key);
        }

        return Prefix + "cc:" + Hash(text.ToString());
    }

    /// <summary>
    /// An exchanged token: the client of <paramref name="options"/>, what <paramref name="exchange"/> asks for (its
    /// subject and actor tokens by their SHA-256 only) and the key thumbprint.
    /// </summary>
    public static string TokenExchange(DPoPTokenClientOptions options, DPoPTokenExchangeRequest exchange, string jwkThumbprint)
    {
        var text = new StringBuilder(512);
        Append(text, options.TokenEndpoint!.AbsoluteUri);
        Append(text, options.ClientId);
        Append(text, exchange.SubjectToken is null ? null : Hash(exchange.SubjectToken));
        Append(text, exchange.SubjectTokenType);
        Append(text, exchange.ActorToken is null ? null : Hash(exchange.ActorToken));
        Append(text, exchange.ActorTokenType);
        Append(text, exchange.RequestedTokenType);
        Append(text, exchange.Scope);
        Append(text, exchange.Resources);
        Append(text, exchange.Audience);
        Append(text, DPoPTokenPartitionValues.Sorted(exchange.Parameters));
        Append(text, jwkThumbprint);
        return Prefix + "tx:" + Hash(text.ToString());
    }

    /// <summary>Appends a value length-prefixed (-1 for null), so no two lists of values read alike.</summary>
    internal static void Append(StringBuilder text, string? value) =>
        text.Append(value is null ? -1 : value.Length).Append(':').Append(value).Append(';');

    internal static void Append(StringBuilder text, ICollection<string> values)
    {
        text.Append(values.Count).Append(';');
        foreach (var value in values)
        {
            Append(text, value);
        }
    }

    internal static void Append(StringBuilder text, IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        text.Append(parameters.Count).Append(';');
        foreach (var (name, value) in parameters)
        {
            Append(text, name);
            Append(text, value);
        }
    }

    /// <summary>Base64url SHA-256 of <paramref name="text"/>'s UTF-8 bytes.</summary>
    internal static string Hash(string text)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        return Base64Url.EncodeToString(hash);
    }
}
