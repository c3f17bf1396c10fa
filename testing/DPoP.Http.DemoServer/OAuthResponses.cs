using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace DPoP.Http.DemoServer;

/// <summary>Writes the JSON bodies and challenges of OAuth responses (RFC 6749 §5, RFC 6750 §3, RFC 9449 §7.1).</summary>
internal static class OAuthResponses
{
    /// <summary>The response header in which servers hand out nonces (RFC 9449 §8).</summary>
    public const string NonceHeader = "DPoP-Nonce";

    /// <summary>Writes a JSON body with <c>Cache-Control: no-store</c> (RFC 6749 §5.1).</summary>
    public static async Task WriteJsonAsync(HttpResponse response, int statusCode, Action<Utf8JsonWriter> writeMembers)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writeMembers(writer);
            writer.WriteEndObject();
        }

        response.StatusCode = statusCode;
        response.Headers.CacheControl = "no-store";
        response.ContentType = "application/json";
        response.ContentLength = buffer.WrittenCount;
        await response.Body.WriteAsync(buffer.WrittenMemory, response.HttpContext.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Writes <c>{"error":…,"error_description":…}</c>.</summary>
    public static Task WriteErrorAsync(HttpResponse response, int statusCode, string error, string description) =>
        WriteJsonAsync(response, statusCode, writer =>
        {
            writer.WriteString("error", error);
            writer.WriteString("error_description", description);
        });

    /// <summary>
    /// A <c>WWW-Authenticate: DPoP</c> challenge with the accepted algorithms and, when given, an error. Descriptions
    /// are fixed texts of this server, free of quotes and backslashes, so they need no escaping.
    /// </summary>
    public static string DPoPChallenge(IReadOnlyList<string> algorithms, string? error = null, string? description = null)
    {
        var builder = new StringBuilder("DPoP ");
        if (error is not null)
        {
            builder.Append("error=\"").Append(error).Append("\", ");
            if (description is not null)
            {
                builder.Append("error_description=\"").Append(description).Append("\", ");
            }
        }

        builder.Append("algs=\"").AppendJoin(' ', algorithms).Append('"');
        return builder.ToString();
    }
}
