using System.Formats.Asn1;
using System.Security.Cryptography;

namespace DPoP.Http.Tests.Support;

/// <summary>Test inputs that would take an hour to make honestly: encrypted PEM keys with any iteration count.</summary>
internal static class EncryptedPemIterations
{
    /// <summary>Rewrites the iteration count of an ENCRYPTED PRIVATE KEY (PBES2/PBKDF2 or PKCS#12 PBE) without deriving anything.</summary>
    public static string Rewrite(string pem, long iterations)
    {
        var fields = PemEncoding.Find(pem);
        var der = Convert.FromBase64String(pem[fields.Base64Data]);
        var info = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
        var algorithm = info.ReadSequence();
        var oid = algorithm.ReadObjectIdentifier();
        var parameters = algorithm.ReadSequence();
        var encrypted = info.ReadOctetString();

        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(oid);
                using (writer.PushSequence())
                {
                    if (oid == "1.2.840.113549.1.5.13")
                    {
                        // PBES2-params: keyDerivationFunc (PBKDF2 with its params), encryptionScheme.
                        var kdf = parameters.ReadSequence();
                        using (writer.PushSequence())
                        {
                            writer.WriteObjectIdentifier(kdf.ReadObjectIdentifier());
                            WriteSaltAndCount(writer, kdf.ReadSequence(), iterations);
                        }

                        writer.WriteEncodedValue(parameters.ReadEncodedValue().Span);
                    }
                    else
                    {
                        WriteSaltAndCountBody(writer, parameters, iterations);
                    }
                }
            }

            writer.WriteOctetString(encrypted);
        }

        return PemEncoding.WriteString("ENCRYPTED PRIVATE KEY", writer.Encode());
    }

    private static void WriteSaltAndCount(AsnWriter writer, AsnReader parameters, long iterations)
    {
        using (writer.PushSequence())
        {
            WriteSaltAndCountBody(writer, parameters, iterations);
        }
    }

    private static void WriteSaltAndCountBody(AsnWriter writer, AsnReader parameters, long iterations)
    {
        writer.WriteOctetString(parameters.ReadOctetString());
        parameters.ReadInteger();
        writer.WriteInteger(iterations);
        while (parameters.HasData)
        {
            writer.WriteEncodedValue(parameters.ReadEncodedValue().Span);
        }
    }
}
