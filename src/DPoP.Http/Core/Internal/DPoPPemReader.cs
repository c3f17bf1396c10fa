using System.Security.Cryptography;

namespace DPoP.Http.Internal;

/// <summary>
/// Finds the one private key block in PEM text, in time linear in the text's length.
/// </summary>
/// <remarks>
/// <see cref="PemEncoding.TryFind(ReadOnlySpan{char}, out PemFields)"/> looks for the end line of every begin line it
/// meets through the rest of the text, so text of many begin lines without end lines takes quadratic time (seconds
/// for a mebibyte), and <c>ImportFromPem</c> scans the whole text the same way. Here the text is cut at every
/// <c>-----BEGIN </c> first: each piece holds one begin line, so <see cref="PemEncoding.TryFind(ReadOnlySpan{char}, out PemFields)"/>
/// is linear in the piece, the pieces do not overlap, and only the key block's own base64 is decoded.
/// </remarks>
internal static class DPoPPemReader
{
    private const string BeginMarker = "-----BEGIN ";

    /// <summary>The label and DER bytes of the private key block (the caller clears the bytes once imported).</summary>
    /// <exception cref="ArgumentException">No private key block, more than one, or only public keys and certificates.</exception>
    public static (string Label, byte[] Der) ReadPrivateKey(string pem, string paramName)
    {
        var text = pem.AsSpan();
        string? label = null;
        byte[]? der = null;
        var sawPublic = false;
        var sawAny = false;
        var begin = text.IndexOf(BeginMarker, StringComparison.Ordinal);
        while (begin >= 0)
        {
            var next = text[(begin + 1)..].IndexOf(BeginMarker, StringComparison.Ordinal);
            var end = next < 0 ? text.Length : begin + 1 + next;

            // One character before the begin line too: RFC 7468 §2 wants it at the start of a line (TryFind checks that).
            var start = Math.Max(begin - 1, 0);
            var piece = text[start..end];
            if (PemEncoding.TryFind(piece, out var fields))
            {
                sawAny = true;
                var found = piece[fields.Label];
                if (found is "PRIVATE KEY" or "EC PRIVATE KEY" or "RSA PRIVATE KEY" or "ENCRYPTED PRIVATE KEY")
                {
                    if (der is not null)
                    {
                        CryptographicOperations.ZeroMemory(der);
                        throw new ArgumentException("The PEM holds more than one private key; give exactly one.", paramName);
                    }

                    label = found.ToString();
                    der = Decode(piece[fields.Base64Data], fields.DecodedDataLength);
                }

                sawPublic |= found is "PUBLIC KEY" or "RSA PUBLIC KEY" or "CERTIFICATE";
            }

            begin = next < 0 ? -1 : end;
        }

        if (der is not null)
        {
            return (label!, der);
        }

        throw new ArgumentException(
            sawPublic ? "The PEM holds only a public key or certificate; a private key is required to sign proofs."
            : sawAny ? "The PEM holds no private key block (PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY)."
            : "The text is not PEM-encoded (no -----BEGIN …----- block was found).",
            paramName);
    }

    private static byte[] Decode(ReadOnlySpan<char> base64, int length)
    {
        // TryFind has checked the base64 (whitespace allowed), so decoding cannot fail.
        var der = new byte[length];
        Convert.TryFromBase64Chars(base64, der, out _);
        return der;
    }
}
