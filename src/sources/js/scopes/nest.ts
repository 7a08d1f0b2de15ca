import ts from '../typescript.cjs';
import { calledName, dottedName, propertyNameText, unwrap } from './ast.js';
import type { DetectedScope } from './exported-handlers.js';

/** Method decorators that make a controller/resolver/gateway method run per request or message. */
const HANDLER_DECORATORS = new Set([
  // @nestjs/common HTTP route decorators
  'Get', 'Post', 'Put', 'Patch', 'Delete', 'All', 'Options', 'Head', 'Search', 'Sse',
  // @nestjs/graphql
  'Query', 'Mutation', 'Subscription', 'ResolveField',
  // @nestjs/microservices, @nestjs/websockets
  'MessagePattern', 'EventPattern', 'SubscribeMessage',
]);
const HANDLER_CLASSES = new Set(['Controller', 'Resolver', 'WebSocketGateway']);
const PROVIDER_CLASSES = new Set(['Injectable', 'Controller', 'Resolver']);

interface DecoratorUse {
  name: string;
  args: readonly ts.Expression[];
}

function decoratorsOf(node: ts.Node): DecoratorUse[] {
  if (!ts.canHaveDecorators(node)) return [];
  return (ts.getDecorators(node) ?? []).flatMap((d): DecoratorUse[] => {
    const e = unwrap(d.expression);
    if (ts.isCallExpression(e)) {
      const name = calledName(e);
      return name ? [{ name, args: e.arguments }] : [];
    }
    return ts.isIdentifier(e) ? [{ name: e.text, args: [] }] : [];
  });
}

/**
 * NestJS: methods of controllers/resolvers/gateways with a route or message decorator, and
 * request-scoped providers — `@Injectable({ scope: Scope.REQUEST })`, or a class that injects
 * `REQUEST`/`CONTEXT`, which makes it request-scoped too
 * (https://docs.nestjs.com/fundamentals/injection-scopes#scope-hierarchy) — whose whole body
 * (constructor, field initialisers, methods) runs once per request.
 */
export function nestScopes(cls: ts.ClassLikeDeclaration): DetectedScope[] {
  const decorators = decoratorsOf(cls);
  if (decorators.length === 0) return [];
  const className = cls.name?.text ?? 'anonymous class';
  const out: DetectedScope[] = [];
  const requestScoped =
    decorators.some((d) => PROVIDER_CLASSES.has(d.name) && d.args.some((a) => requestScopeOption(a))) || injectsRequest(cls);
  if (requestScoped) {
    out.push({ node: cls, kind: 'nest-request-scoped', description: `NestJS request-scoped provider \`${className}\`` });
    return out;
  }
  if (!decorators.some((d) => HANDLER_CLASSES.has(d.name))) return out;
  for (const m of cls.members) {
    if (!ts.isMethodDeclaration(m)) continue;
    const route = decoratorsOf(m).find((d) => HANDLER_DECORATORS.has(d.name));
    if (route) out.push({ node: m, kind: 'http-route', description: `NestJS handler \`${className}.${propertyNameText(m.name) ?? 'method'}\` (@${route.name})` });
  }
  return out;
}

/** `{ scope: Scope.REQUEST }` (also in `@Controller({ path, scope })`). */
function requestScopeOption(arg: ts.Expression): boolean {
  const obj = unwrap(arg);
  if (!ts.isObjectLiteralExpression(obj)) return false;
  return obj.properties.some((p) => ts.isPropertyAssignment(p) && propertyNameText(p.name) === 'scope' && /(?:^|\.)REQUEST$/.test(dottedName(p.initializer) ?? ''));
}

/** A constructor parameter `@Inject(REQUEST)` or `@Inject(CONTEXT)`. */
function injectsRequest(cls: ts.ClassLikeDeclaration): boolean {
  for (const m of cls.members) {
    if (!ts.isConstructorDeclaration(m)) continue;
    for (const p of m.parameters) {
      if (decoratorsOf(p).some((d) => d.name === 'Inject' && d.args.some((a) => /^(?:REQUEST|CONTEXT)$/.test(dottedName(a) ?? '')))) return true;
    }
  }
  return false;
}
