using System.Reflection;
using System.Reflection.Emit;
using System.Xml.Linq;
using Microsoft.Extensions.Options;

namespace DPoP.Http.Docs.Tests.Support;

/// <summary>
/// The exception types a user of the packages can meet, collected from the assemblies themselves: the public exception
/// types they define, every <c>&lt;exception cref&gt;</c> of their XML doc files, every exception type their IL
/// constructs (<c>newobj</c>), and <see cref="OptionsValidationException"/> when they validate options at start-up.
/// </summary>
internal static class ThrownExceptions
{
    private const BindingFlags Declared = BindingFlags.DeclaredOnly | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;

    // Opcode value -> operand type, from the runtime's own table (one- and two-byte opcodes).
    private static readonly Dictionary<short, OperandType> Operands = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value, o => o.OperandType);

    /// <summary>Public types deriving from <see cref="Exception"/>, by simple name.</summary>
    public static IEnumerable<string> DefinedPublicTypes(Assembly assembly) =>
        assembly.GetExportedTypes().Where(t => typeof(Exception).IsAssignableFrom(t)).Select(t => t.Name);

    /// <summary>The type named by each <c>&lt;exception cref="T:…"/&gt;</c> of the assembly's XML doc file, by simple name.</summary>
    public static IEnumerable<string> DocumentedTypes(Assembly assembly) =>
        XDocument.Load(PackageAssemblies.XmlDocFile(assembly))
            .Descendants("exception")
            .Select(e => (string?)e.Attribute("cref") ?? string.Empty)
            .Where(cref => cref.StartsWith("T:", StringComparison.Ordinal))
            .Select(cref => cref[(cref.LastIndexOf('.') + 1)..]);

    /// <summary>The exception types whose constructors the assembly's IL calls (<c>newobj</c>), by simple name.</summary>
    public static IEnumerable<string> ConstructedTypes(Assembly assembly)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        // Top-level types the compiler synthesizes (<>z__ReadOnlyArray of collection expressions, <PrivateImplementationDetails>)
        // throw only on misuse of what they back; the code written here, async state machines included, is all nested or named.
        foreach (var type in assembly.GetTypes().Where(t => t.IsNested || !t.Name.StartsWith('<')))
        {
            foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
            {
                var il = method.GetMethodBody()?.GetILAsByteArray();
                if (il is null)
                {
                    continue;
                }

                foreach (var token in NewObjTokens(il))
                {
                    var constructed = Resolve(method, token)?.DeclaringType;
                    if (constructed is not null && typeof(Exception).IsAssignableFrom(constructed))
                    {
                        found.Add(constructed.IsGenericType ? constructed.Name[..constructed.Name.IndexOf('`', StringComparison.Ordinal)] : constructed.Name);
                    }
                }
            }
        }

        return found;
    }

    /// <summary><see cref="OptionsValidationException"/> when the assembly validates options (it has an <see cref="IValidateOptions{TOptions}"/>).</summary>
    public static IEnumerable<string> OptionsValidation(Assembly assembly) =>
        assembly.GetTypes().Any(t => t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IValidateOptions<>)))
            ? [nameof(OptionsValidationException)]
            : [];

    /// <summary>Every type of the four sources, over both packages.</summary>
    public static IReadOnlySet<string> All() => PackageAssemblies.All
        .SelectMany(a => DefinedPublicTypes(a).Concat(DocumentedTypes(a)).Concat(ConstructedTypes(a)).Concat(OptionsValidation(a)))
        .ToHashSet(StringComparer.Ordinal);

    private static MethodBase? Resolve(MethodBase method, int token)
    {
        try
        {
            var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
            var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
            return method.Module.ResolveMethod(token, typeArguments, methodArguments);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static List<int> NewObjTokens(byte[] il)
    {
        var tokens = new List<int>();
        var position = 0;
        while (position < il.Length)
        {
            short value = il[position++];
            if (value == 0xFE)
            {
                value = unchecked((short)(0xFE00 | il[position++]));
            }

            var operand = Operands[value];
            if (value == OpCodes.Newobj.Value)
            {
                tokens.Add(BitConverter.ToInt32(il, position));
            }

            position += operand switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, position)),
                _ => 4,
            };
        }

        return tokens;
    }
}
