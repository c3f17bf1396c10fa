using System.Text.Json;

namespace DPoP.Http.Internal;

/// <summary>
/// Reads the members of a JWK given as JSON text, refusing with an <see cref="ArgumentException"/> whatever
/// <see cref="JsonDocument"/> or a JOSE library would otherwise throw on: <c>null</c> or non-object text, a key member
/// that is not a string, a string holding a lone surrogate. Messages name the member and the rule, never a value.
/// </summary>
internal static class DPoPJwkJson
{
    /// <summary>
    /// The string members of the object. A member named in <paramref name="keyMembers"/> must be a string when present
    /// and may appear once; other members of any other type are ignored.
    /// </summary>
    public static Dictionary<string, string> ReadStringMembers(string json, string paramName, ReadOnlySpan<string> keyMembers)
    {
        var members = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var document = Parse(json, paramName);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ArgumentException("The JWK must be a JSON object.", paramName);
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                // Name and GetString() throw InvalidOperationException on a lone surrogate (caught below).
                var name = property.Name;
                var isKeyMember = keyMembers.Contains(name);
                if (property.Value.ValueKind != JsonValueKind.String)
                {
                    if (isKeyMember)
                    {
                        throw new ArgumentException($"The JWK member '{name}' must be a string.", paramName);
                    }

                    continue;
                }

                if (isKeyMember && members.ContainsKey(name))
                {
                    throw new ArgumentException($"The JWK has the member '{name}' more than once.", paramName);
                }

                members[name] = property.Value.GetString()!;
            }
        }
        catch (InvalidOperationException)
        {
            // No inner exception: the JSON reader's message may quote part of the text.
            throw new ArgumentException("The JWK holds a string that is not valid UTF-16 (a lone surrogate).", paramName);
        }

        return members;
    }

    private static JsonDocument Parse(string json, string paramName)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            // Not the reader's message as inner exception: it quotes the offending character, which may be key material.
            throw new ArgumentException($"The JWK is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}).", paramName);
        }
        catch (ArgumentException)
        {
            // Transcoding to UTF-8 refuses a lone surrogate outside any JSON string.
            throw new ArgumentException("The JWK text is not valid UTF-16 (a lone surrogate).", paramName);
        }
    }
}
