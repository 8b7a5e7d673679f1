/**
 * Custom types registered with `env.registerCustomType`: how an instance of a user class is
 * turned into bytes and back, so that it survives copies, keys and (later) exchanges.
 */
export interface CustomSerializer<T> {
  serialize(value: T): Uint8Array;
}
export interface CustomDeserializer<T> {
  deserialize(bytes: Uint8Array): T;
}

// biome-ignore lint: a class constructor of any shape
export type ClassType<T> = abstract new (...args: any[]) => T;

export interface RegisteredType {
  /** Registration order: 0 for the first registered class. */
  readonly id: number;
  readonly name: string;
  readonly cls: ClassType<unknown>;
  readonly serializer: CustomSerializer<unknown>;
  readonly deserializer: CustomDeserializer<unknown>;
}

export class TypeRegistry {
  private readonly byClass = new Map<unknown, RegisteredType>();
  private readonly types: RegisteredType[] = [];

  register<T>(cls: ClassType<T>, serializer: CustomSerializer<T>, deserializer: CustomDeserializer<T>): RegisteredType {
    const existing = this.byClass.get(cls);
    if (existing) return existing;
    const type: RegisteredType = Object.freeze({
      id: this.types.length,
      name: cls.name,
      cls,
      serializer: serializer as CustomSerializer<unknown>,
      deserializer: deserializer as CustomDeserializer<unknown>,
    });
    this.types.push(type);
    this.byClass.set(cls, type);
    return type;
  }

  /** The registration of an object's exact class, if any. */
  lookup(value: object): RegisteredType | undefined {
    return this.types.length === 0 ? undefined : this.byClass.get(value.constructor);
  }

  byId(id: number): RegisteredType | undefined {
    return this.types[id];
  }

  get size(): number {
    return this.types.length;
  }
}
