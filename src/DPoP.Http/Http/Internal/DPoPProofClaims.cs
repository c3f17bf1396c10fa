using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DPoP.Http.Internal;

/// <summary>
/// Extra payload claims some servers ask for (RFC 9449 §4.2 allows other claims), serialized once when set so that
/// every proof of the request — retries and redirect hops included — carries them without re-serializing.
/// </summary>
internal sealed class DPoPProofClaims
{
    /// <summary>The claims RFC 9449 defines and the handler sets; callers cannot override them.</summary>
    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal) { "jti", "htm", "htu", "iat", "ath", "nonce" };

    private DPoPProofClaims(byte[] members) => Members = members;

    /// <summary>The members as JSON without the enclosing braces.</summary>
    public byte[] Members { get; }

    public static DPoPProofClaims Create(IReadOnlyDictionary<string, object?> claims, string paramName)
    {
        ArgumentNullException.ThrowIfNull(claims, paramName);
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in claims)
            {
                if (string.IsNullOrEmpty(name))
                {
                    throw new ArgumentException("A proof claim name must not be empty.", paramName);
                }

                if (Reserved.Contains(name))
                {
                    throw new ArgumentException($"The proof claim '{name}' is set by DPoP.Http and cannot be overridden.", paramName);
                }

                writer.WritePropertyName(name);
                WriteValue(writer, name, value, paramName);
            }

            writer.WriteEndObject();
        }

        var json = buffer.WrittenSpan;
        return new DPoPProofClaims(json[1..^1].ToArray());
    }

    private static void WriteValue(Utf8JsonWriter writer, string name, object? value, string paramName)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string text:
                writer.WriteStringValue(text);
                break;
            case bool flag:
                writer.WriteBooleanValue(flag);
                break;
            case int number:
                writer.WriteNumberValue(number);
                break;
            case long number:
                writer.WriteNumberValue(number);
                break;
            case double number when double.IsFinite(number):
                writer.WriteNumberValue(number);
                break;
            case decimal number:
                writer.WriteNumberValue(number);
                break;
            case JsonElement { ValueKind: JsonValueKind.Undefined }:
                throw new ArgumentException($"The proof claim '{name}' is a default (undefined) JsonElement, which has no JSON value.", paramName);
            case JsonElement element:
                element.WriteTo(writer);
                break;
            case JsonNode node:
                node.WriteTo(writer);
                break;
            default:
                throw new ArgumentException(
                    $"The proof claim '{name}' has a value of type {value.GetType().Name}; use string, bool, int, long, finite double, decimal, JsonElement or JsonNode.", paramName);
        }
    }
}
