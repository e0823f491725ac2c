using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace OrleansTrader.Silo.Tests;

/// <summary>
/// Evaluates an ARM template's expressions for given parameter values: the subset of the template language Bicep emits
/// for infra/ (parameters, variables and their copy loops, format, concat, if, union, split, ...). What only Azure can
/// know at deployment time (reference, resourceId, uniqueString, ...) evaluates to the text «expression» (its arguments
/// evaluated), which survives string functions.
/// </summary>
internal sealed class ArmScope
{
    private const string UnknownStart = "«";
    private const string UnknownEnd = "»";

    private static readonly HashSet<string> AzureOnlyFunctions = new(StringComparer.OrdinalIgnoreCase)
    {
        "reference", "resourceId", "subscriptionResourceId", "extensionResourceId", "tenantResourceId", "resourceGroup",
        "subscription", "tenant", "deployment", "environment", "managementGroup", "uniqueString", "guid", "newGuid",
        "utcNow",
    };

    private readonly Func<string, JsonNode?>? _parentParameter;
    private readonly IReadOnlyDictionary<string, JsonNode?> _parameters;
    private readonly Dictionary<string, JsonNode?> _variables = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The item each copy loop being evaluated is at (copyIndex).</summary>
    private readonly Dictionary<string, int> _copyIndexes = new(StringComparer.OrdinalIgnoreCase);

    public ArmScope(JsonObject template, IReadOnlyDictionary<string, JsonNode?> parameters)
    {
        Template = template;
        _parameters = parameters;
    }

    private ArmScope(JsonObject template, Func<string, JsonNode?> parentParameter)
    {
        Template = template;
        _parameters = new Dictionary<string, JsonNode?>();
        _parentParameter = parentParameter;
    }

    public JsonObject Template { get; }

    /// <summary>
    /// The resources this template deploys (not `existing` ones, nor those whose condition is false), followed by those
    /// of each nested deployment.
    /// </summary>
    public IEnumerable<(JsonObject Resource, ArmScope Scope)> DeployedResources()
    {
        var resources = Template["resources"] switch
        {
            JsonArray list => list.Select(r => (JsonObject)r!),
            JsonObject bySymbolicName => bySymbolicName.Select(r => (JsonObject)r.Value!),
            _ => [],
        };
        foreach (var resource in resources)
        {
            if (resource["existing"] is { } existing && Bool(existing))
            {
                continue;
            }

            if (resource["condition"] is { } condition && !Bool(Evaluate(condition)))
            {
                continue;
            }

            yield return (resource, this);
            if (Text(resource["type"]) == "Microsoft.Resources/deployments"
                && resource["properties"]?["template"] is JsonObject nested)
            {
                var parameters = resource["properties"]?["parameters"] as JsonObject;
                var child = new ArmScope(nested, name =>
                    parameters?[name] is { } given ? Evaluate(given)?["value"]?.DeepClone() : null);
                foreach (var inner in child.DeployedResources())
                {
                    yield return inner;
                }
            }
        }
    }

    /// <summary>A copy of <paramref name="node"/> with every expression in it evaluated.</summary>
    public JsonNode? Evaluate(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                var evaluated = new JsonObject();
                foreach (var (key, value) in obj)
                {
                    evaluated[Text(Evaluate(JsonValue.Create(key)))] = Evaluate(value);
                }

                return evaluated;
            case JsonArray array:
                return new JsonArray(array.Select(Evaluate).ToArray());
            case JsonValue value when value.TryGetValue<string>(out var text):
                if (text.StartsWith("[[", StringComparison.Ordinal))
                {
                    return JsonValue.Create(text[1..]);
                }

                return text.StartsWith('[') && text.EndsWith(']')
                    ? Evaluate(ArmExpression.Parse(text[1..^1]))
                    : JsonValue.Create(text);
            default:
                return node?.DeepClone();
        }
    }

    public static string Text(JsonNode? node) => node switch
    {
        null => "",
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        JsonValue value when value.TryGetValue<bool>(out var flag) => flag ? "True" : "False",
        _ => node.ToJsonString(),
    };

    public static bool Bool(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<bool>(out var flag)
            ? flag
            : throw new InvalidOperationException($"Expected a boolean, found {node?.ToJsonString() ?? "nothing"}.");

    private static bool IsUnknown(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) && text.StartsWith(UnknownStart, StringComparison.Ordinal);

    private static JsonValue Unknown(string expression) => JsonValue.Create(UnknownStart + expression + UnknownEnd)!;

    /// <summary>The text of a value inside an unknown one: an unknown value without its marks, anything else as text.</summary>
    private static string Inner(JsonNode? node) => IsUnknown(node) ? Text(node)[UnknownStart.Length..^UnknownEnd.Length] : Text(node);

    private JsonNode? Evaluate(ArmExpression expression)
    {
        switch (expression)
        {
            case ArmExpression.Literal literal:
                return literal.Value?.DeepClone();
            case ArmExpression.Member member:
                var target = Evaluate(member.Target);
                return IsUnknown(target) ? Unknown($"{Inner(target)}.{member.Name}") : Property(target, member.Name)?.DeepClone();
            case ArmExpression.Index index:
                var indexed = Evaluate(index.Target);
                var position = Evaluate(index.Position);
                if (IsUnknown(indexed) || IsUnknown(position))
                {
                    return Unknown($"{Inner(indexed)}[{Inner(position)}]");
                }

                var element = indexed is JsonArray array ? array[position!.GetValue<int>()] : Property(indexed, Text(position));
                return element?.DeepClone();
            case ArmExpression.Call call:
                return Call(call);
            default:
                throw new NotSupportedException(expression.Source);
        }
    }

    private JsonNode? Call(ArmExpression.Call call)
    {
        if (AzureOnlyFunctions.Contains(call.Name) || call.Name.StartsWith("list", StringComparison.OrdinalIgnoreCase))
        {
            // Unknown, but with its arguments evaluated: subscriptionResourceId('...', variables('id')) shows the id.
            return Unknown($"{call.Name}({string.Join(", ", call.Arguments.Select(a => Inner(Evaluate(a))))})");
        }

        var args = call.Arguments;
        switch (call.Name.ToUpperInvariant())
        {
            case "PARAMETERS":
                return Parameter(Text(Evaluate(args[0])));
            case "VARIABLES":
                return Variable(Text(Evaluate(args[0])));
            case "IF":
                return Bool(Evaluate(args[0])) ? Evaluate(args[1]) : Evaluate(args[2]);
            case "TRUE":
                return JsonValue.Create(true);
            case "FALSE":
                return JsonValue.Create(false);
            case "NULL":
                return null;
            case "NOT":
                return JsonValue.Create(!Bool(Evaluate(args[0])));
            case "AND":
                return JsonValue.Create(args.All(a => Bool(Evaluate(a))));
            case "OR":
                return JsonValue.Create(args.Any(a => Bool(Evaluate(a))));
            case "EQUALS":
                return JsonValue.Create(JsonNode.DeepEquals(Evaluate(args[0]), Evaluate(args[1])));
            case "EMPTY":
                return JsonValue.Create(Evaluate(args[0]) switch
                {
                    null => true,
                    JsonArray array => array.Count == 0,
                    JsonObject obj => obj.Count == 0,
                    var value => Text(value).Length == 0,
                });
            case "STRING":
                return JsonValue.Create(Text(Evaluate(args[0])));
            case "JSON":
                return JsonNode.Parse(Text(Evaluate(args[0])));
            case "TOLOWER":
                return JsonValue.Create(Text(Evaluate(args[0])).ToLowerInvariant());
            case "REPLACE":
                return JsonValue.Create(Text(Evaluate(args[0])).Replace(Text(Evaluate(args[1])), Text(Evaluate(args[2])), StringComparison.Ordinal));
            case "TOUPPER":
                return JsonValue.Create(Text(Evaluate(args[0])).ToUpperInvariant());
            case "FORMAT":
                var values = args.Skip(1).Select(a => Text(Evaluate(a))).ToArray();
                return JsonValue.Create(Regex.Replace(Text(Evaluate(args[0])), @"\{(\d+)\}",
                    m => values[int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)]));
            case "CONCAT":
                var parts = args.Select(Evaluate).ToList();
                return parts.All(p => p is JsonArray)
                    ? new JsonArray(parts.SelectMany(p => ((JsonArray)p!).Select(i => i?.DeepClone())).ToArray())
                    : JsonValue.Create(string.Concat(parts.Select(Text)));
            case "CREATEARRAY":
                return new JsonArray(args.Select(Evaluate).ToArray());
            case "CREATEOBJECT":
                var created = new JsonObject();
                for (var i = 0; i < args.Count; i += 2)
                {
                    created[Text(Evaluate(args[i]))] = Evaluate(args[i + 1]);
                }

                return created;
            case "LENGTH":
                return JsonValue.Create(Evaluate(args[0]) switch
                {
                    JsonArray array => array.Count,
                    JsonObject obj => obj.Count,
                    var value => Text(value).Length,
                });
            case "SPLIT":
                return new JsonArray(Text(Evaluate(args[0])).Split(Text(Evaluate(args[1])))
                    .Select(part => (JsonNode?)JsonValue.Create(part)).ToArray());
            case "TRIM":
                return JsonValue.Create(Text(Evaluate(args[0])).Trim());
            case "COPYINDEX":
                var loop = Text(Evaluate(args[0]));
                return _copyIndexes.TryGetValue(loop, out var copyIndex)
                    ? JsonValue.Create(copyIndex)
                    : throw new InvalidOperationException($"copyIndex('{loop}') outside its loop.");
            case "UNION":
                var union = new JsonObject();
                foreach (var part in args.Select(Evaluate))
                {
                    foreach (var (key, value) in (JsonObject)part!)
                    {
                        union[key] = value?.DeepClone();
                    }
                }

                return union;
            default:
                throw new NotSupportedException($"The test's template evaluator does not know {call.Name}() (in {call.Source}).");
        }
    }

    private JsonNode? Parameter(string name)
    {
        if (_parentParameter is not null)
        {
            if (_parentParameter(name) is { } passed)
            {
                return passed;
            }
        }
        else if (_parameters.TryGetValue(name, out var given))
        {
            return given?.DeepClone();
        }

        var declared = Template["parameters"]?[name] ?? throw new InvalidOperationException($"No parameter '{name}' is declared.");
        return declared.AsObject().ContainsKey("defaultValue")
            ? Evaluate(declared["defaultValue"])
            : throw new InvalidOperationException($"Parameter '{name}' has no value and no default.");
    }

    private JsonNode? Variable(string name)
    {
        if (!_variables.TryGetValue(name, out var value))
        {
            var declared = Template["variables"]?.AsObject();
            var loop = (declared?["copy"] as JsonArray)?.OfType<JsonObject>()
                .FirstOrDefault(c => string.Equals(Text(c["name"]), name, StringComparison.OrdinalIgnoreCase));
            if (loop is not null)
            {
                value = CopyLoop(name, loop);
            }
            else if (declared is null || !declared.ContainsKey(name))
            {
                throw new InvalidOperationException($"No variable '{name}' is declared.");
            }
            else
            {
                value = Evaluate(declared[name]);
            }

            _variables[name] = value;
        }

        return value?.DeepClone();
    }

    /// <summary>A variable a <c>for</c> loop makes: its input evaluated once per item, with copyIndex() at that item.</summary>
    private JsonArray CopyLoop(string name, JsonObject loop)
    {
        var count = Evaluate(loop["count"])!.GetValue<int>();
        var items = new JsonArray();
        for (var i = 0; i < count; i++)
        {
            _copyIndexes[name] = i;
            items.Add(Evaluate(loop["input"]));
        }

        _copyIndexes.Remove(name);
        return items;
    }

    private static JsonNode? Property(JsonNode? target, string name)
    {
        var obj = target as JsonObject ?? throw new InvalidOperationException($"'{name}' of {target?.ToJsonString() ?? "nothing"}.");
        return obj.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)) is { Key: not null } found
            ? found.Value
            : throw new InvalidOperationException($"No property '{name}' in {obj.ToJsonString()}.");
    }
}

/// <summary>An ARM template expression (the text between the brackets of "[...]"), parsed.</summary>
internal abstract record ArmExpression(string Source)
{
    public sealed record Literal(JsonNode? Value, string Source) : ArmExpression(Source);

    public sealed record Call(string Name, IReadOnlyList<ArmExpression> Arguments, string Source) : ArmExpression(Source);

    public sealed record Member(ArmExpression Target, string Name, string Source) : ArmExpression(Source);

    public sealed record Index(ArmExpression Target, ArmExpression Position, string Source) : ArmExpression(Source);

    public static ArmExpression Parse(string text)
    {
        var position = 0;
        var expression = ParseExpression(text, ref position);
        SkipSpaces(text, ref position);
        return position == text.Length ? expression : throw Error(text, position, "end of expression");
    }

    private static ArmExpression ParseExpression(string text, ref int position)
    {
        SkipSpaces(text, ref position);
        var start = position;
        var expression = ParsePrimary(text, ref position);
        while (position < text.Length)
        {
            if (text[position] == '.')
            {
                position++;
                var name = ReadIdentifier(text, ref position);
                expression = new Member(expression, name, text[start..position]);
            }
            else if (text[position] == '[')
            {
                position++;
                var index = ParseExpression(text, ref position);
                Expect(text, ref position, ']');
                expression = new Index(expression, index, text[start..position]);
            }
            else
            {
                break;
            }
        }

        return expression;
    }

    private static ArmExpression ParsePrimary(string text, ref int position)
    {
        var start = position;
        if (position < text.Length && text[position] == '\'')
        {
            var literal = new StringBuilder();
            position++;
            while (true)
            {
                if (position >= text.Length)
                {
                    throw Error(text, position, "closing quote");
                }

                if (text[position] == '\'')
                {
                    if (position + 1 < text.Length && text[position + 1] == '\'')
                    {
                        literal.Append('\'');
                        position += 2;
                        continue;
                    }

                    position++;
                    return new Literal(JsonValue.Create(literal.ToString()), text[start..position]);
                }

                literal.Append(text[position++]);
            }
        }

        if (position < text.Length && (char.IsAsciiDigit(text[position]) || text[position] == '-'))
        {
            position++;
            while (position < text.Length && char.IsAsciiDigit(text[position]))
            {
                position++;
            }

            var number = int.Parse(text[start..position], CultureInfo.InvariantCulture);
            return new Literal(JsonValue.Create(number), text[start..position]);
        }

        var name = ReadIdentifier(text, ref position);
        Expect(text, ref position, '(');
        var arguments = new List<ArmExpression>();
        SkipSpaces(text, ref position);
        if (position < text.Length && text[position] == ')')
        {
            position++;
        }
        else
        {
            while (true)
            {
                arguments.Add(ParseExpression(text, ref position));
                SkipSpaces(text, ref position);
                if (position < text.Length && text[position] == ',')
                {
                    position++;
                    continue;
                }

                Expect(text, ref position, ')');
                break;
            }
        }

        return new Call(name, arguments, text[start..position]);
    }

    private static string ReadIdentifier(string text, ref int position)
    {
        var start = position;
        while (position < text.Length && (char.IsAsciiLetterOrDigit(text[position]) || text[position] is '_' or '$'))
        {
            position++;
        }

        return position > start ? text[start..position] : throw Error(text, position, "a name");
    }

    private static void Expect(string text, ref int position, char expected)
    {
        SkipSpaces(text, ref position);
        if (position >= text.Length || text[position] != expected)
        {
            throw Error(text, position, $"'{expected}'");
        }

        position++;
    }

    private static void SkipSpaces(string text, ref int position)
    {
        while (position < text.Length && char.IsWhiteSpace(text[position]))
        {
            position++;
        }
    }

    private static FormatException Error(string text, int position, string expected) =>
        new($"Expected {expected} at {position} in ARM expression: {text}");
}
